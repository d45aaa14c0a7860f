"""The knowledge graph: skills and their prerequisites."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from functools import cached_property

import networkx as nx

from kit.course.manifest import Skill


class SkillGraph:
    """Skills as a directed acyclic graph, with an edge from each prerequisite to its skill.

    Orders are stable: among skills that could come in either order, the one declared first
    in course.yml comes first, so plans and pictures do not change from run to run.

    Parameters
    ----------
    skills:
        The skills of a course, without prerequisite cycles or unknown prerequisites
        (:func:`kit.course.check_course` reports those).
    """

    def __init__(self, skills: Sequence[Skill]) -> None:
        self.skills = {skill.id: skill for skill in skills}
        self.rank = {skill.id: index for index, skill in enumerate(skills)}
        self.graph: nx.DiGraph[str] = nx.DiGraph()
        self.graph.add_nodes_from(self.skills)
        for skill in skills:
            self.graph.add_edges_from((pre, skill.id) for pre in skill.prerequisites)

    def __contains__(self, skill_id: object) -> bool:
        return skill_id in self.skills

    def __len__(self) -> int:
        return len(self.skills)

    def _check(self, skill_ids: Iterable[str]) -> list[str]:
        ids = list(skill_ids)
        unknown = [s for s in ids if s not in self.skills]
        if unknown:
            raise KeyError(f"unknown skill(s): {', '.join(unknown)}")
        return ids

    @cached_property
    def order(self) -> list[str]:
        """All skills, prerequisites first; ties broken by declaration order."""
        return list(nx.lexicographical_topological_sort(self.graph, key=self.rank.__getitem__))

    @cached_property
    def _position(self) -> dict[str, int]:
        return {skill: index for index, skill in enumerate(self.order)}

    def sort(self, skill_ids: Iterable[str]) -> list[str]:
        """``skill_ids`` in the graph's stable topological order."""
        return sorted(set(self._check(skill_ids)), key=self._position.__getitem__)

    def prerequisites(self, skill_id: str, *, transitive: bool = True) -> list[str]:
        """The skills needed before ``skill_id``: direct ones, or all of them (the closure)."""
        self._check([skill_id])
        found = (
            nx.ancestors(self.graph, skill_id) if transitive else self.graph.predecessors(skill_id)
        )
        return self.sort(found)

    def dependents(self, skill_id: str, *, transitive: bool = True) -> list[str]:
        """The skills that need ``skill_id``, directly or through others."""
        self._check([skill_id])
        found = (
            nx.descendants(self.graph, skill_id) if transitive else self.graph.successors(skill_id)
        )
        return self.sort(found)

    def closure(self, skill_ids: Iterable[str]) -> list[str]:
        """``skill_ids`` and all their prerequisites, prerequisites first."""
        wanted = set(self._check(skill_ids))
        for skill_id in list(wanted):
            wanted |= nx.ancestors(self.graph, skill_id)
        return self.sort(wanted)

    @cached_property
    def depth(self) -> dict[str, int]:
        """Length of the longest prerequisite chain below each skill (roots have depth 0)."""
        depth: dict[str, int] = {}
        for skill_id in self.order:
            depth[skill_id] = max(
                (depth[p] + 1 for p in self.graph.predecessors(skill_id)), default=0
            )
        return depth

    def layers(self) -> list[list[str]]:
        """Skills grouped by depth, each layer in stable order."""
        count = max(self.depth.values(), default=-1) + 1
        layers: list[list[str]] = [[] for _ in range(count)]
        for skill_id in self.order:
            layers[self.depth[skill_id]].append(skill_id)
        return layers

    def roots(self) -> list[str]:
        """Skills with no prerequisites."""
        return [s for s in self.order if self.graph.in_degree(s) == 0]

"""Compiled feature encoding of the feature models (numba): for every answer, counts of the
learner's earlier answers, in one pass over the answers.

:func:`encode` writes a sparse matrix in coordinate form (rows, columns, values); a first pass
with ``fill=False`` only counts the entries so that the arrays can be sized exactly. Columns
are laid out in blocks whose offsets come in ``layout`` (-1: block absent):

====  ===================================================  ========
slot  block                                                columns
====  ===================================================  ========
0     skill of the answer (one-hot)                        S
1     item of the answer (one-hot; items seen in fitting)  I
2     earlier answers on this skill, log(1 + n)            S
3     earlier right answers on this skill                  S
4     earlier answers on every skill (the learner's         2S
      profile): attempts, then right answers
5     earlier answers in all (attempts, right)             2
6     earlier answers on this item (attempts, right)       2
7     earlier answers on this skill within each time       2W
      window (attempts, right per window)
8     recent right rate on this skill, per decay (per       DS
      skill weights)
9     recent right rate over all skills, per decay          D
====  ===================================================  ========

Counts enter as ``log(1 + n)``, as in Gervet et al. (2020): one more answer matters less the
more there are. The recent right rates weigh each earlier answer by ``decay ** age`` (age in
answers: on this skill, or in all), the recency-weighted success of R-PFA (Galyardt & Goldin,
2015); they are 0 before the first answer. Outcomes may be partial credit; "right answers" then
sums the credit.
"""

from __future__ import annotations

import numpy as np
from numba import njit

SKILL, ITEM, SKILL_ATTEMPTS, SKILL_WINS, PROFILE, TOTAL, ITEM_COUNTS, WINDOWS = range(8)
RECENT_SKILL, RECENT_ALL = 8, 9
SLOTS = 10


@njit(cache=True, inline="always")
def _put(rows, cols, vals, nz, fill, r, c, v):
    if v != 0.0:
        if fill:
            rows[nz] = r
            cols[nz] = c
            vals[nz] = v
        return nz + 1
    return nz


@njit(cache=True)
def encode(
    skills,
    obs,
    items,
    times,
    starts,
    lengths,
    n_skills,
    n_items,
    n_known_items,
    windows,
    decays,
    layout,
    fill,
    rows,
    cols,
    vals,
):
    """Encode every answer (row = its flat index); returns the number of entries.

    ``items`` holds item codes (codes at or above ``n_known_items`` get counts, not a one-hot
    column); ``times`` seconds (used only when the window block is laid out).
    """
    att = np.zeros(n_skills)
    win = np.zeros(n_skills)
    touched = np.empty(n_skills, dtype=np.int64)
    last = np.full(n_skills, -1, dtype=np.int64)
    use_items = layout[ITEM] >= 0 or layout[ITEM_COUNTS] >= 0
    item_att = np.zeros(n_items if use_items else 0)
    item_win = np.zeros(n_items if use_items else 0)
    item_touched = np.empty(lengths.max() if use_items and lengths.shape[0] else 0, np.int64)
    use_windows = layout[WINDOWS] >= 0
    n_windows = windows.shape[0]
    longest = windows.max() if n_windows else 0.0
    previous = np.full(obs.shape[0] if use_windows else 0, -1, dtype=np.int64)
    n_decays = decays.shape[0]
    # decayed sums of right answers and of answers, per skill and decay / per decay
    rec_w = np.zeros((n_skills, n_decays))
    rec_a = np.zeros((n_skills, n_decays))
    all_w = np.zeros(n_decays)
    all_a = np.zeros(n_decays)
    nz = 0
    for learner in range(starts.shape[0]):
        all_w[:] = 0.0
        all_a[:] = 0.0
        n_touched = 0
        n_item_touched = 0
        total_att = 0.0
        total_win = 0.0
        for t in range(starts[learner], starts[learner] + lengths[learner]):
            k = skills[t]
            nz = _put(rows, cols, vals, nz, fill, t, layout[SKILL] + k, 1.0)
            if use_items:
                it = items[t]
                if layout[ITEM] >= 0 and it < n_known_items:
                    nz = _put(rows, cols, vals, nz, fill, t, layout[ITEM] + it, 1.0)
                if layout[ITEM_COUNTS] >= 0:
                    c = layout[ITEM_COUNTS]
                    nz = _put(rows, cols, vals, nz, fill, t, c, np.log1p(item_att[it]))
                    nz = _put(rows, cols, vals, nz, fill, t, c + 1, np.log1p(item_win[it]))
            if layout[SKILL_ATTEMPTS] >= 0:
                c = layout[SKILL_ATTEMPTS] + k
                nz = _put(rows, cols, vals, nz, fill, t, c, np.log1p(att[k]))
            if layout[SKILL_WINS] >= 0:
                c = layout[SKILL_WINS] + k
                nz = _put(rows, cols, vals, nz, fill, t, c, np.log1p(win[k]))
            if layout[PROFILE] >= 0:
                base = layout[PROFILE]
                for m in range(n_touched):
                    j = touched[m]
                    nz = _put(rows, cols, vals, nz, fill, t, base + j, np.log1p(att[j]))
                    c = base + n_skills + j
                    nz = _put(rows, cols, vals, nz, fill, t, c, np.log1p(win[j]))
            if layout[TOTAL] >= 0:
                c = layout[TOTAL]
                nz = _put(rows, cols, vals, nz, fill, t, c, np.log1p(total_att))
                nz = _put(rows, cols, vals, nz, fill, t, c + 1, np.log1p(total_win))
            if use_windows:
                # one walk back through this skill's earlier answers, as far as the longest window
                n_in = np.zeros(n_windows)
                w_in = np.zeros(n_windows)
                p = last[k]
                while p >= 0 and times[t] - times[p] <= longest:
                    for w in range(n_windows):
                        if times[t] - times[p] <= windows[w]:
                            n_in[w] += 1.0
                            w_in[w] += obs[p]
                    p = previous[p]
                for w in range(n_windows):
                    c = layout[WINDOWS] + 2 * w
                    nz = _put(rows, cols, vals, nz, fill, t, c, np.log1p(n_in[w]))
                    nz = _put(rows, cols, vals, nz, fill, t, c + 1, np.log1p(w_in[w]))
                previous[t] = last[k]
            if layout[RECENT_SKILL] >= 0:
                for d in range(n_decays):
                    if rec_a[k, d] > 0.0:
                        c = layout[RECENT_SKILL] + d * n_skills + k
                        nz = _put(rows, cols, vals, nz, fill, t, c, rec_w[k, d] / rec_a[k, d])
            if layout[RECENT_ALL] >= 0:
                for d in range(n_decays):
                    if all_a[d] > 0.0:
                        c = layout[RECENT_ALL] + d
                        nz = _put(rows, cols, vals, nz, fill, t, c, all_w[d] / all_a[d])
            for d in range(n_decays):
                rec_w[k, d] = decays[d] * rec_w[k, d] + obs[t]
                rec_a[k, d] = decays[d] * rec_a[k, d] + 1.0
                all_w[d] = decays[d] * all_w[d] + obs[t]
                all_a[d] = decays[d] * all_a[d] + 1.0
            # this answer now counts as the past of the next ones
            if att[k] == 0.0:
                touched[n_touched] = k
                n_touched += 1
            att[k] += 1.0
            win[k] += obs[t]
            last[k] = t
            total_att += 1.0
            total_win += obs[t]
            if use_items:
                it = items[t]
                if item_att[it] == 0.0:
                    item_touched[n_item_touched] = it
                    n_item_touched += 1
                item_att[it] += 1.0
                item_win[it] += obs[t]
        for m in range(n_touched):
            j = touched[m]
            att[j] = 0.0
            win[j] = 0.0
            last[j] = -1
            rec_w[j, :] = 0.0
            rec_a[j, :] = 0.0
        for m in range(n_item_touched):
            item_att[item_touched[m]] = 0.0
            item_win[item_touched[m]] = 0.0
    return nz

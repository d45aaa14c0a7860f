"""pytest runs every notebook of this course with nbval (see pyproject.toml). Two folders hold
notebooks that are not meant to run as they are: the instructor workspace ``_kit`` (release
versions, learners' submissions) and the sample submissions, which are graded, not run."""

collect_ignore = ["_kit", "sample-submissions"]

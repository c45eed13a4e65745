"""Reports an instructor reads: the crosswalk matrix (HTML) and the competency graph (Graphviz).

Each is a pure function from the checked content to bytes or text; ``comptoir report``
(:mod:`comptoir.commands.report`) writes them. Competencies are always shown with their official
wording beside the code: a school reads « accueillir l'appelant… », not ``a.1``.
"""

"""The schema comparison, one module per kind of object.

Each takes the expected and the live shape of a table (``yonca.guard.shapes``)
and returns findings; ``yonca.guard.schema`` runs them in turn.
"""

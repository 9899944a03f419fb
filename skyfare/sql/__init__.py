"""Plain SQL migrations of the platform (partner keys, ...), applied by `skyfare.migrations`.

A package (not just a folder) so setuptools ships its `*.sql` files as package data.
"""

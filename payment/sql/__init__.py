"""Plain SQL migrations of payments (versions 0200–0299), applied by `skyfare.migrations`.

A package (not just a folder) so setuptools ships its `*.sql` files as package data.
"""

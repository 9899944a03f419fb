"""The user service's SQL migrations (0300–0399), applied by `skyfare.migrations`.

A package (not just a folder) so setuptools ships its `*.sql` files as package data.
"""

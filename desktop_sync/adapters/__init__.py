"""Adapters: readers of outside formats that the pure domain must not parse itself.

They import the domain (the values they produce) and nothing else of ours; the services use them.
"""

"""Utilities.

May import: nothing (its submodules are imported by their full names); no other
layer of ours.
"""

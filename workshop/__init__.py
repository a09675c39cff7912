"""The domain of the repair workshop: statuses, the transition table and the rules.

Pure Python, standard library only: everything here takes plain values (and *today* or
*now* as an argument) so that every rule is a fast unit test.
"""

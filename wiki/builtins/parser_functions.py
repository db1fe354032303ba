"""The core parser functions (``#if``, ``#ifeq``, ``#switch`` ...) and magic words."""

from wiki.hookspecs import hookimpl
from wiki.markup import CORE_MAGIC_WORDS, CORE_PARSER_FUNCTIONS


@hookimpl
def register_parser_functions():
    return list(CORE_PARSER_FUNCTIONS)


@hookimpl
def register_magic_words():
    return list(CORE_MAGIC_WORDS)

//! Python `fnmatch.fnmatchcase` semantics, compiled to regular expressions.

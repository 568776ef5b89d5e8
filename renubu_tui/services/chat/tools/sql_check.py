"""Static checking of the `database_query` tool's SQL: one SELECT over the allow-listed views.

The SQL is tokenized here (strings, quoted identifiers, words, numbers, operators) rather than
trusted to any parser the model could confuse; anything the tokenizer does not understand is
refused. Then, over the tokens: one statement, SELECT or WITH … SELECT first, no comments or
parameters, no write or session keywords, no dangerous functions, no name of a real table or
catalog, every relation after FROM / JOIN / a FROM-list comma / SQLite's `IN name` an
allow-listed view or a CTE of the query, and every `a.b` qualified by a view, CTE or alias.

This is the first of two fences: the database still runs the query read-only, time-limited,
over views bound to one tenant and customer (db_query.py). A refusal always says why.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field


def _words(text: str) -> frozenset[str]:
    return frozenset(text.split())


class QueryRefused(ValueError):
    """The SQL is not a single confined SELECT; the message says why, for the model to fix."""


@dataclass(frozen=True)
class Token:
    kind: str  # word | qident | string | number | op
    value: str  # words lower-cased; quoted identifiers as written, unquoted
    pos: int

    def is_word(self, *values: str) -> bool:
        return self.kind == "word" and (not values or self.value in values)

    def is_op(self, *values: str) -> bool:
        return self.kind == "op" and self.value in values

    @property
    def name(self) -> str | None:
        """The identifier this token names (case-folded), if it can name one."""
        return self.value.lower() if self.kind in {"word", "qident"} else None


DENIED_KEYWORDS = _words(
    """
    insert update delete merge upsert create drop alter rename truncate grant revoke copy
    pragma attach detach vacuum analyze analyse reindex explain call do execute prepare
    deallocate listen notify unlisten lock set reset show discard load checkpoint cluster
    comment refresh import declare move close begin start commit rollback savepoint release
    abort into table returning replace
    """
)
# Functions that read files, reach the server or other databases, run SQL given as text,
# change state, or make huge values.
DENIED_FUNCTIONS = _words(
    """
    load_extension readfile writefile edit fts3_tokenizer fts5 zipfile sqlar_compress
    sqlar_uncompress randomblob zeroblob current_setting set_config nextval setval currval lastval
    setseed ts_stat ts_rewrite txid_current xmlparse
    version current_user session_user current_role user current_database current_catalog
    current_schema current_schemas current_query obj_description col_description
    shobj_description format_type sqlite_version
    """
)
# Casts that turn names or numbers into catalog objects (`'pg_class'::regclass`, oids).
DENIED_TYPES = _words(
    """
    regclass regproc regprocedure regoper regoperator regtype regrole regnamespace regconfig
    regdictionary regcollation oid xid xid8 cid tid
    """
)
DENIED_PREFIXES = (
    "pg_",
    "has_",
    "to_reg",
    "txid_",
    "inet_",
    "sqlite_",
    "lo_",
    "dblink",
    "query_to_",
    "cursor_to_",
    "table_to_",
    "schema_to_",
    "database_to_",
    "binary_upgrade",
    "brin_",
    "gin_",
    "knowledge_fts",
    "pragma_",
)
DENIED_SCHEMAS = frozenset({"information_schema", "main", "temp", "public", "pg_catalog"})
TABLE_FUNCTIONS = _words(
    """
    generate_series unnest json_each json_tree jsonb_each jsonb_each_text json_each_text
    json_array_elements json_array_elements_text jsonb_array_elements jsonb_array_elements_text
    """
)
# Keywords that end a FROM list at their depth.
_FROM_END = _words(
    "where group having order limit offset window union intersect except fetch for select values"
)
# Functions whose arguments use FROM / IN as expression syntax.
_EXPR_FROM_FUNCTIONS = frozenset({"extract", "substring", "trim", "overlay", "position"})
# Words that can follow a relation without being its alias.
_NOT_ALIAS = _words(
    """
    on using where group having order limit offset window union intersect except fetch for join
    inner left right full outer cross natural lateral tablesample indexed not as and or
    """
)
_STRING_PREFIXES = frozenset({"x", "b", "n"})
MAX_SQL_LENGTH = 8000
_WORD = re.compile(r"[^\W\d]\w*", re.UNICODE)
_NUMBER = re.compile(r"0[xX][0-9a-fA-F]+|(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?")
_COMMON_OPS = "+-*/%<>=!|&^~,.();"
_PG_OPS = "[]@#"


@dataclass
class Checked:
    """A query that passed: the SQL without its trailing semicolon, and what it refers to."""

    sql: str
    relations: list[str] = field(default_factory=list)
    ctes: set[str] = field(default_factory=set)


def tokenize(sql: str, dialect: str) -> list[Token]:
    """Tokens of `sql`, or QueryRefused at the first construct this checker does not accept."""
    if len(sql) > MAX_SQL_LENGTH:
        raise QueryRefused(f"the query is longer than {MAX_SQL_LENGTH} characters")
    if "\\" in sql or "\x00" in sql:
        raise QueryRefused("backslashes are not allowed (not even in strings)")
    tokens: list[Token] = []
    i, n = 0, len(sql)
    ops = _COMMON_OPS + (_PG_OPS if dialect == "postgresql" else "")
    while i < n:
        ch = sql[i]
        if ch.isspace():
            i += 1
        elif sql.startswith("--", i) or sql.startswith("/*", i):
            raise QueryRefused("comments are not allowed")
        elif ch == "'":
            end = _closing(sql, i, "'")
            prev = tokens[-1] if tokens else None
            if (
                prev is not None
                and prev.kind == "word"
                and prev.pos + len(prev.value) == i
                and prev.value not in _STRING_PREFIXES
            ):
                raise QueryRefused(f"{prev.value.upper()}'…' strings are not allowed")
            tokens.append(Token("string", sql[i + 1 : end].replace("''", "'"), i))
            i = end + 1
        elif ch == '"':
            end = _closing(sql, i, '"')
            value = sql[i + 1 : end].replace('""', '"')
            if not value:
                raise QueryRefused("empty quoted identifier")
            tokens.append(Token("qident", value, i))
            i = end + 1
        elif ch == "`" or (ch == "[" and dialect != "postgresql"):
            raise QueryRefused("quote identifiers with double quotes only")
        elif ch in "$?\\" or (ch in ":@#" and dialect != "postgresql"):
            raise QueryRefused(f"parameters and special characters ({ch!r}) are not allowed")
        elif ch == ":":
            if not sql.startswith("::", i):
                raise QueryRefused("parameters (:name) are not allowed")
            tokens.append(Token("op", "::", i))
            i += 2
        elif ch == "&" and sql[i + 1 : i + 2] in {"'", '"'}:
            raise QueryRefused("U&'…' escapes are not allowed")
        elif m := _NUMBER.match(sql, i):
            tokens.append(Token("number", m.group(0), i))
            i = m.end()
        elif m := _WORD.match(sql, i):
            tokens.append(Token("word", m.group(0).lower(), i))
            i = m.end()
        elif ch in ops:
            tokens.append(Token("op", ch, i))
            i += 1
        else:
            raise QueryRefused(f"unexpected character {ch!r} at {i}")
    return tokens


def _closing(sql: str, start: int, quote: str) -> int:
    i = start + 1
    while True:
        end = sql.find(quote, i)
        if end < 0:
            raise QueryRefused("unterminated quoted text")
        if sql.startswith(quote * 2, end):
            i = end + 2
            continue
        return end


def check(
    sql: str, *, dialect: str, views: Iterable[str], denied_names: Iterable[str] = ()
) -> Checked:
    """Accept `sql` when it is one SELECT confined to `views`, else raise QueryRefused."""
    views = {v.lower() for v in views}
    denied = {d.lower() for d in denied_names} - views
    tokens = tokenize(sql, dialect)
    while tokens and tokens[-1].is_op(";"):
        tokens.pop()
    if not tokens:
        raise QueryRefused("the query is empty")
    if any(t.is_op(";") for t in tokens):
        raise QueryRefused("only one statement is allowed")
    first = next((t for t in tokens if not t.is_op("(")), tokens[0])
    if not first.is_word("select", "with"):
        raise QueryRefused("only a SELECT (or WITH … SELECT) statement is allowed")
    _check_words(tokens, denied)
    ctes = _ctes(tokens)
    for name in set(ctes.names) & (views | denied):
        raise QueryRefused(f"a CTE may not be named {name!r}")
    relations, aliases = _relations(tokens, lambda i: views | ctes.visible_at(i))
    _check_qualified(tokens, views | set(ctes.names) | aliases)
    end = tokens[-1].pos + _length(sql, tokens[-1])
    return Checked(sql[:end], relations, set(ctes.names))


def _length(sql: str, token: Token) -> int:
    if token.kind in {"string", "qident"}:
        return _closing(sql, token.pos, sql[token.pos]) - token.pos + 1
    return len(token.value)


def _check_words(tokens: list[Token], denied: set[str]) -> None:
    for i, token in enumerate(tokens):
        name = token.name
        if name is None:
            continue
        after = tokens[i + 1] if i + 1 < len(tokens) else None
        calls = after is not None and after.is_op("(")
        if token.kind == "word" and name in DENIED_KEYWORDS and not (name == "replace" and calls):
            raise QueryRefused(f"{name.upper()} is not allowed: the query is read-only")
        if token.kind == "word" and name == "for" and after and after.is_word("share", "no", "key"):
            raise QueryRefused("row locks (FOR SHARE/UPDATE) are not allowed")
        if name in DENIED_FUNCTIONS or name.startswith(DENIED_PREFIXES):
            raise QueryRefused(f"{name} is not allowed")
        if name in DENIED_TYPES:
            raise QueryRefused(f"{name} is not allowed: the query reads the views, not the catalog")
        if name in DENIED_SCHEMAS or name in denied:
            raise QueryRefused(f"{name} is not one of the allowed views")


@dataclass(frozen=True)
class _Ctes:
    """The query's top-level WITH list: names in order, each body's token span."""

    names: list[str]
    spans: list[tuple[int, int]]
    recursive: bool

    def visible_at(self, index: int) -> set[str]:
        """CTE names a relation at token `index` can mean (later ones would be real tables)."""
        for k, (start, end) in enumerate(self.spans):
            if start <= index < end:
                return set(self.names) if self.recursive else set(self.names[:k])
        return set(self.names)


def _ctes(tokens: list[Token]) -> _Ctes:
    """Parse the top-level WITH list; WITH anywhere else (nested CTEs) is refused."""
    start = next(i for i, t in enumerate(tokens) if not t.is_op("("))
    for i, token in enumerate(tokens):
        after = tokens[i + 1] if i + 1 < len(tokens) else None
        if (
            token.is_word("with")
            and i != start
            and not (after and after.is_word("ordinality", "time"))
        ):
            raise QueryRefused("WITH is allowed only at the start of the query")
    if not tokens[start].is_word("with"):
        return _Ctes([], [], False)
    names: list[str] = []
    spans: list[tuple[int, int]] = []
    j = start + 1
    recursive = j < len(tokens) and tokens[j].is_word("recursive")
    j += int(recursive)
    while True:
        name = tokens[j].name if j < len(tokens) else None
        if name is None:
            raise QueryRefused("a WITH clause must name its subquery")
        names.append(name)
        j += 1
        if j < len(tokens) and tokens[j].is_op("("):
            j = _skip_group(tokens, j)
        if j >= len(tokens) or not tokens[j].is_word("as"):
            raise QueryRefused(f"WITH {name} must be followed by AS (…)")
        j += 1
        while j < len(tokens) and tokens[j].is_word("not", "materialized"):
            j += 1
        if j >= len(tokens) or not tokens[j].is_op("("):
            raise QueryRefused(f"WITH {name} AS must be followed by (…)")
        end = _skip_group(tokens, j)
        spans.append((j, end))
        j = end
        if j < len(tokens) and tokens[j].is_op(","):
            j += 1
            continue
        return _Ctes(names, spans, recursive)


def _skip_group(tokens: list[Token], start: int) -> int:
    """The index after the parenthesis group opening at `start`."""
    depth = 0
    for j in range(start, len(tokens)):
        if tokens[j].is_op("("):
            depth += 1
        elif tokens[j].is_op(")"):
            depth -= 1
            if depth == 0:
                return j + 1
    raise QueryRefused("unbalanced parentheses")


@dataclass
class _Level:
    function: str | None  # the function this parenthesis calls, if any
    in_from: bool = False
    from_item_next: bool = False  # the next token starts a FROM item (after `FROM (`)


def _relations(
    tokens: list[Token], allowed_at: Callable[[int], set[str]]
) -> tuple[list[str], set[str]]:
    """Every relation the query reads (each must be allowed) and the aliases it declares."""
    relations: list[str] = []
    aliases: set[str] = set()
    stack = [_Level(None)]
    i = 0
    while i < len(tokens):
        token, level = tokens[i], stack[-1]
        prev = tokens[i - 1] if i else None
        if level.from_item_next:
            level.from_item_next = False
            if not token.is_word("select", "with", "values"):
                i = _from_item(tokens, i, allowed_at(i), relations, aliases, stack)
                continue
        if token.is_op("("):
            function = prev.value if prev is not None and prev.kind == "word" else None
            stack.append(_Level(function))
        elif token.is_op(")"):
            if len(stack) == 1:
                raise QueryRefused("unbalanced parentheses")
            stack.pop()
            if stack[-1].in_from:
                i = _alias(tokens, i + 1, aliases, stack[-1])
                continue
        elif token.is_word("from", "join") or (token.is_op(",") and level.in_from):
            if token.is_word("from") and _expression_from(tokens, i, level):
                i += 1
                continue
            level.in_from = True
            i = _from_item(tokens, i + 1, allowed_at(i), relations, aliases, stack)
            continue
        elif token.is_word("in") and level.function != "position":
            after = tokens[i + 1] if i + 1 < len(tokens) else None
            if after is not None and after.name is not None:
                _require_allowed(after, allowed_at(i))
                relations.append(after.value.lower())
        elif token.kind == "word" and token.value in _FROM_END:
            level.in_from = False
        i += 1
    if len(stack) != 1:
        raise QueryRefused("unbalanced parentheses")
    return relations, aliases


def _expression_from(tokens: list[Token], i: int, level: _Level) -> bool:
    """FROM as expression syntax: EXTRACT(x FROM y) and kin, IS [NOT] DISTINCT FROM."""
    if level.function in _EXPR_FROM_FUNCTIONS:
        return True
    return i >= 2 and tokens[i - 1].is_word("distinct") and tokens[i - 2].is_word("is", "not")


def _require_allowed(token: Token, allowed: set[str]) -> None:
    name = token.name
    if name is None or name not in allowed:
        shown = token.value if name is None else name
        raise QueryRefused(
            f"{shown} is not one of the allowed views ({', '.join(sorted(allowed))})"
        )


def _from_item(
    tokens: list[Token],
    i: int,
    allowed: set[str],
    relations: list[str],
    aliases: set[str],
    stack: list[_Level],
) -> int:
    """Check the FROM item starting at `i`; returns where scanning continues."""
    while i < len(tokens) and tokens[i].is_word("lateral", "only"):
        i += 1
    if i >= len(tokens):
        raise QueryRefused("FROM needs a view")
    token = tokens[i]
    if token.is_op("("):
        stack.append(_Level(None, in_from=True, from_item_next=True))
        return i + 1
    if token.name is None:
        raise QueryRefused(f"FROM needs a view name, not {token.value!r}")
    after = tokens[i + 1] if i + 1 < len(tokens) else None
    if after is not None and after.is_op("."):
        raise QueryRefused(f"qualified names ({token.value}.…) are not allowed; use a view")
    if after is not None and after.is_op("("):
        if token.kind != "word" or token.value not in TABLE_FUNCTIONS:
            raise QueryRefused(f"{token.value}(…) cannot be used as a table")
        stack.append(_Level(token.value))
        # the function's arguments are scanned as usual; its alias comes after ")"
        stack[-2].in_from = True
        return i + 2
    _require_allowed(token, allowed)
    relations.append(token.value.lower())
    return _alias(tokens, i + 1, aliases, stack[-1])


def _alias(tokens: list[Token], i: int, aliases: set[str], level: _Level) -> int:
    """Record `[AS] alias` at `i`, if present; returns the index after it."""
    level.in_from = True
    if i < len(tokens) and tokens[i].is_word("as"):
        i += 1
        if i >= len(tokens) or tokens[i].name is None:
            raise QueryRefused("AS needs a name")
    if i < len(tokens) and tokens[i].name is not None:
        token = tokens[i]
        if token.kind == "qident" or token.value not in _NOT_ALIAS | _FROM_END:
            aliases.add(token.value.lower())
            i += 1  # a column list `(a, b)` after it is scanned like any parenthesis
    return i


def _check_qualified(tokens: list[Token], known: set[str]) -> None:
    """`a.b` only when `a` is a view, CTE or alias; never `a.b.c` or a qualified call."""
    for i, token in enumerate(tokens):
        if not token.is_op(".") or i == 0:
            continue
        qualifier = tokens[i - 1]
        if qualifier.name is None:
            if qualifier.is_op(")"):
                continue  # (composite).field
            raise QueryRefused("unexpected '.'")
        if qualifier.name not in known:
            raise QueryRefused(f"{qualifier.value}.… does not name a view, CTE or alias")
        if i >= 2 and tokens[i - 2].is_op("."):
            raise QueryRefused("names with more than one dot are not allowed")
        after = tokens[i + 2] if i + 2 < len(tokens) else None
        if after is not None and after.is_op("("):
            raise QueryRefused("qualified function calls are not allowed")


__all__ = ["Checked", "QueryRefused", "Token", "check", "tokenize"]

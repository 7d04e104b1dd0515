"""A validation error said in the policy language's own words.

pydantic reports what its validators saw ("Extra inputs are not
permitted", one error per member of a union, links to its docs); a person
writing a policy or a policy test wants to know which key or value is
wrong, where, and what was probably meant. This module turns pydantic's
error list into one `PolicyProblem` per mistake, read against the models
(the single source of the language's names) and the data as written.
"""

from __future__ import annotations

import difflib
import types
import typing
from collections.abc import Iterable, Iterator, Sequence
from typing import Any, Literal

import yaml
from pydantic import BaseModel, ValidationError
from pydantic.fields import FieldInfo

Path = tuple[int | str, ...]

# What each kind of mapping is called where a person reads it.
_NOUNS = {
    "PolicyFile": "a policy",
    "Rule": "a rule",
    "Condition": "a condition",
    "TimeWindow": "time",
    "NotifyObligation": "an obligation",
    "NotifySubject": "notify_subject",
    "TestFile": "a test file",
    "Case": "a case",
    "Expectation": "expect",
}
# The value each pydantic type error wanted, in words.
_WANTED = {
    "string_type": "text",
    "bool_type": "true or false",
    "bool_parsing": "true or false",
    "int_type": "a whole number",
    "int_parsing": "a whole number",
    "int_from_float": "a whole number",
    "list_type": "a list",
    "dict_type": "a mapping (key: value)",
    "model_type": "a mapping (key: value)",
    "model_attributes_type": "a mapping (key: value)",
    "datetime_type": "a date and time such as 2024-05-01T14:00:00Z",
    "datetime_parsing": "a date and time such as 2024-05-01T14:00:00Z",
    "datetime_from_date_parsing": "a date and time such as 2024-05-01T14:00:00Z",
}
# Patterns of the language's names, said as what they stand for.
_PATTERNS = {
    r"^[A-Z]{2}$": "a state code: two capital letters such as WA",
    r"^[a-z0-9][a-z0-9-]{0,63}$": "a rule id: lower-case letters, digits, dashes",
    r"^[A-Z0-9*?]{1,9}$": "an ORI (or a pattern with * and ?): up to 9 capital letters or digits",
}


def nearest(word: str, choices: Iterable[str]) -> str | None:
    """The valid name a misspelling most likely meant, if any is close."""
    options = list(dict.fromkeys(choices))
    head, dot, tail = word.rpartition(".")
    if dot:
        # `requester.agency` is not `requester.tags`: the shared head would
        # make any two attributes look alike, so the tails are compared.
        same = {o.rpartition(".")[2]: o for o in options if o.rpartition(".")[0] == head}
        if same:
            found = difflib.get_close_matches(tail, same, n=1, cutoff=0.6)
            return same[found[0]] if found else None
    found = difflib.get_close_matches(word, options, n=1, cutoff=0.6)
    if not found:
        # `COMPONNET` against `component`: case is not a spelling difference.
        folded = {o.casefold(): o for o in options}
        found = [folded[f] for f in difflib.get_close_matches(word.casefold(), folded, n=1)]
    if not found:
        # `swich` against `state-switch`: half a dashed name is still a name
        # (`enforced_at: switch`, `combine: deny`).
        parts = {p: o for o in options if "-" in o for p in o.casefold().split("-")}
        found = [parts[p] for p in difflib.get_close_matches(word.casefold(), parts, n=1)]
    return found[0] if found else None


def _did_you_mean(word: object, choices: Iterable[str]) -> str:
    if not isinstance(word, str):
        return ""
    match = nearest(word, choices)
    return f"; did you mean `{match}`?" if match else ""


def _shown(value: object) -> str:
    """A value as it would be written in the file, kept short."""
    if isinstance(value, dict):
        return "a mapping"
    if isinstance(value, list):
        return "a list"
    if value is None:
        return "nothing"
    if isinstance(value, bool):
        return "true" if value else "false"
    text = str(value)
    return f"`{text[:40]}…`" if len(text) > 40 else f"`{text}`"


# -- the models, walked by an error's location ---------------------------


def _members(annotation: Any) -> list[Any]:
    """The types an annotation admits, through Optional, unions, lists and
    Annotated."""
    origin = typing.get_origin(annotation)
    if origin is typing.Annotated:
        return _members(typing.get_args(annotation)[0])
    if origin in (typing.Union, types.UnionType, list):
        return [m for arg in typing.get_args(annotation) for m in _members(arg)]
    return [annotation]


def _models(annotation: Any) -> list[type[BaseModel]]:
    return [m for m in _members(annotation) if isinstance(m, type) and issubclass(m, BaseModel)]


def _literals(annotation: Any) -> list[str]:
    values = (
        str(v)
        for m in _members(annotation)
        if typing.get_origin(m) is Literal
        for v in typing.get_args(m)
    )
    return list(dict.fromkeys(values))


def _keys(model: type[BaseModel]) -> dict[str, FieldInfo]:
    """A model's keys as written in a file (the alias where there is one)."""
    return {info.alias or name: info for name, info in model.model_fields.items()}


def _owners(top: type[BaseModel], path: Path) -> list[type[BaseModel]]:
    """The models a mapping at `path` can be."""
    current = [top]
    for part in path:
        if isinstance(part, int):
            continue  # an item of a list: the list's item types
        fields = [_keys(m)[part] for m in current if part in _keys(m)]
        if not fields:
            return []
        current = [m for f in fields for m in _models(f.annotation)]
    return current


def _field(top: type[BaseModel], path: Path) -> FieldInfo | None:
    """The field a value at `path` is for (an item of a list is its list's)."""
    names = [i for i, p in enumerate(path) if isinstance(p, str)]
    if not names:
        return None
    last = names[-1]
    for model in _owners(top, path[:last]):
        info = _keys(model).get(str(path[last]))
        if info is not None:
            return info
    return None


# -- an error's location, against the data --------------------------------

_MISSING = object()


def _at(data: Any, path: Path) -> Any:
    for part in path:
        found = isinstance(data, dict) and part in data
        found = found or (isinstance(data, list) and isinstance(part, int) and part < len(data))
        if not found:
            return _MISSING
        data = data[part]
    return data


def _is_tag(part: int | str) -> bool:
    """A union member's tag in a location (`list[...]`, `literal[...]`, a
    model's class name), not a key of the file."""
    return isinstance(part, str) and (
        "[" in part or part in {"str", "bool", "int", "constrained-str"} or part in _NOUNS
    )


def _placed(loc: Sequence[int | str], data: Any) -> Path | None:
    """The location as a path in the data, or None when the error is that of
    a union member the value's shape rules out (a scalar member's error for a
    list, a list member's for a scalar)."""
    path: list[int | str] = []
    for part in loc:
        value = _at(data, tuple(path))
        # A key written in the file is a key, whatever it is called.
        if _is_tag(part) and not (isinstance(value, dict) and part in value):
            is_list = str(part).startswith("list[")
            if value is not _MISSING and is_list != isinstance(value, list):
                return None
            continue
        path.append(part)
    return tuple(path)


def _line(root: yaml.Node | None, path: Path, *, key: bool = False) -> int | None:
    """The line of the deepest node `path` reaches; with `key`, of the last
    key itself (an unknown key is where it is written, not its value)."""
    node = root
    line = node.start_mark.line + 1 if node is not None else None
    for part in path:
        match: yaml.Node | None = None
        if isinstance(node, yaml.MappingNode):
            pair = next(((k, v) for k, v in node.value if k.value == part), None)
            if pair is not None:
                match = pair[0] if key and part == path[-1] else pair[1]
        elif isinstance(node, yaml.SequenceNode) and isinstance(part, int):
            match = node.value[part] if part < len(node.value) else None
        if match is None:
            break
        node = match
        line = node.start_mark.line + 1
    return line


def line_of(root: yaml.Node | None, path: Path) -> int | None:
    return _line(root, path)


# -- the words ------------------------------------------------------------


def _prefix(path: Path) -> str:
    return ".".join(str(p) for p in path) + ": " if path else ""


def _obligation(value: Any, allowed: list[str]) -> str:
    """One reason for an obligation no member of its union accepts."""
    if isinstance(value, dict) and len(value) == 1:
        name = next(iter(value))
    elif isinstance(value, str):
        name = value
    else:
        return f"an obligation is one of {', '.join(allowed)}, not {_shown(value)}"
    return f"unknown obligation `{name}`{_did_you_mean(name, allowed)} ({', '.join(allowed)})"


def _obligation_names(info: FieldInfo) -> list[str]:
    names = _literals(info.annotation)
    for model in _models(info.annotation):
        names.extend(_keys(model))
    return names


def _unknown_key(top: type[BaseModel], path: Path) -> str:
    if not path:
        return "an unknown key"
    owners = _owners(top, path[:-1])
    valid = [k for m in owners for k in _keys(m)]
    key = str(path[-1])
    what = "attribute" if any(m.__name__ == "Condition" for m in owners) else "key"
    noun = _NOUNS.get(owners[0].__name__, "this mapping") if owners else "this mapping"
    hint = _did_you_mean(key, valid)
    if not hint and valid:
        hint = f" ({noun} has {', '.join(valid)})"
    return f"unknown {what} `{key}`{hint}"


def _reason(top: type[BaseModel], error: Any, path: Path, value: Any) -> tuple[Path, str]:
    """(where the problem is said to be, what it is)."""
    kind = error["type"]
    ctx = error.get("ctx") or {}
    name = next((str(p) for p in reversed(path) if isinstance(p, str)), "")
    info = _field(top, path)
    container = path[:-1] if path and isinstance(path[-1], str) else path
    if kind == "extra_forbidden":
        return path, _unknown_key(top, path)
    if kind == "missing":
        owners = _owners(top, container)
        noun = _NOUNS.get(owners[0].__name__, "this mapping") if owners else "this mapping"
        return path, f"missing `{name}`: {noun} needs it"
    if kind == "literal_error":
        allowed = _literals(info.annotation) if info is not None else []
        if name == "obligations" and info is not None:
            return path, _obligation(value, _obligation_names(info))
        hint = _did_you_mean(value, allowed)
        return path, f"{name} {_shown(value)} is not one of {', '.join(allowed)}{hint}"
    if kind in _WANTED:
        if name == "obligations" and info is not None:
            return path, _obligation(value, _obligation_names(info))
        return path, f"{name} must be {_WANTED[kind]}, not {_shown(value)}"
    if kind == "string_pattern_mismatch":
        said = _PATTERNS.get(str(ctx.get("pattern")), f"of the form {ctx.get('pattern')}")
        return path, f"{name} {_shown(value)} is not {said}"
    if kind == "string_too_short":
        return path, f"{name} must not be empty"
    if kind == "string_too_long":
        return path, f"{name} is longer than {ctx.get('max_length')} characters"
    if kind == "too_short":
        return path, f"{name} needs at least {ctx.get('min_length')} entry"
    if kind == "too_long":
        return path, f"{name} has more than {ctx.get('max_length')} entries"
    if kind == "greater_than":
        return path, f"{name} must be more than {ctx.get('gt')}, not {_shown(value)}"
    if kind == "greater_than_equal":
        return path, f"{name} must be at least {ctx.get('ge')}, not {_shown(value)}"
    if kind in ("less_than_equal", "less_than"):
        return path, f"{name} must be at most {ctx.get('le', ctx.get('lt'))}, not {_shown(value)}"
    if kind in ("value_error", "assertion_error"):
        message = str(ctx.get("error") or error["msg"]).removeprefix("Value error, ")
        return path, message
    # A kind this module has no words for: pydantic's message, without its
    # docs link (which `msg` never carries), at the right place.
    return path, f"{name or 'value'}: {error['msg']}"


def problems(
    top: type[BaseModel], exc: ValidationError, data: Any, root: yaml.Node | None
) -> Iterator[tuple[int | None, str]]:
    """(line, reason) for each mistake `exc` found in `data`, once each.

    A value no member of a union accepts is one mistake, said once at its
    place: the first error there wins, and an obligation whose name is wrong
    is said as that, not as what each kind of obligation would have needed.
    """
    said: set[Path] = set()
    errors = exc.errors(include_url=False)
    # `efect: permit` is one mistake: the unknown key said with its
    # correction, not also the `effect` it leaves missing.
    meant = set()
    for error in errors:
        path = _placed(tuple(error["loc"]), data)
        if error["type"] == "extra_forbidden" and path:
            valid = [k for m in _owners(top, path[:-1]) for k in _keys(m)]
            match = nearest(str(path[-1]), valid)
            if match is not None:
                meant.add((*path[:-1], match))
    for error in errors:
        loc = tuple(error["loc"])
        path = _placed(loc, data)
        if path is None or (error["type"] == "missing" and path in meant):
            continue
        tags = [i for i, p in enumerate(loc) if _is_tag(p)]
        # The union's own place: the location up to its first member tag.
        union_at = tuple(p for p in loc[: tags[0]] if not _is_tag(p)) if tags else None
        if union_at is not None and _names_obligations(union_at):
            info = _field(top, union_at)
            value = _at(data, union_at)
            if info is not None and not _is_known_obligation(value, info):
                if union_at not in said:
                    said.add(union_at)
                    reason = _obligation(value, _obligation_names(info))
                    yield _line(root, union_at), _prefix(union_at[:-1]) + reason
                continue
            if path == union_at:
                continue  # another kind of obligation's complaint about this one
        value = _at(data, path)
        where, reason = _reason(top, error, path, None if value is _MISSING else value)
        key = error["type"] == "extra_forbidden"
        if not key and where in said:
            continue
        said.add(where)
        # Said as `rules.0.when: message.key ...`: the place is the mapping
        # the mistake is in, the reason names the key; a rule's own
        # complaint (`rules.0: a deny rule must ...`) is the rule's place.
        named = [i for i, p in enumerate(where) if isinstance(p, str)]
        inside = where if error["type"] == "value_error" or not named else where[: named[-1]]
        yield _line(root, path if key else where, key=key), _prefix(inside) + reason


def _names_obligations(path: Path) -> bool:
    return len(path) >= 2 and isinstance(path[-1], int) and path[-2] == "obligations"


def _is_known_obligation(value: Any, info: FieldInfo) -> bool:
    """An obligation whose name is right (its inside may still be wrong)."""
    names = _obligation_names(info)
    if isinstance(value, str):
        return value in names
    return isinstance(value, dict) and len(value) == 1 and next(iter(value)) in names

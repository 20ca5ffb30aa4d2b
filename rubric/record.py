"""Value classes that cost little to define: ``@record`` instead of ``@dataclass``.

Every command-line call starts a new Python and defines the marking set's records, its
schemes and the importer's model again before it does any work. ``dataclasses`` builds
each class by generating and compiling six or seven methods from source, about 0.5 ms a
class on a school laptop; twenty-five of them were a sixth of a ``mark`` call
(``tests/benchmarks/bench_cli.py``). ``@record`` compiles only ``__init__`` (so making an
instance stays as quick as with a dataclass) and shares one equality, hash and repr
between all records.

What it keeps of a frozen dataclass: fields from the class annotations in order (a base
record's first), defaults, :func:`factory` defaults and fields left out of comparison,
keyword or positional construction, ``__post_init__``, equality only with the same
class, a hash of the compared fields, immutability (``frozen=False`` lifts it), the
``Name(field=value, ...)`` repr, pickling and copying. :func:`replace` is
``dataclasses.replace`` for records.
"""

from __future__ import annotations

from collections.abc import Callable
from operator import attrgetter
from typing import Any, TypeVar

T = TypeVar("T")

_MISSING = object()


class _Factory:
    __slots__ = ("make", "compare")

    def __init__(self, make: Callable[[], Any] | None, compare: bool) -> None:
        self.make = make
        self.compare = compare


def factory(make: Callable[[], Any] | None = None, *, compare: bool = True) -> Any:
    """A field default made fresh for every instance by ``make()`` (``field(default_factory=
    make)``); ``compare=False`` leaves the field out of equality and the hash."""
    return _Factory(make, compare)


def _frozen_setattr(self, name, value):
    raise AttributeError(f"cannot assign to field {name!r} of {type(self).__name__} "
                         "(a record is immutable: use record.replace)")


def _frozen_delattr(self, name):
    raise AttributeError(f"cannot delete field {name!r} of {type(self).__name__}")


def _eq(self, other):
    if other.__class__ is not self.__class__:
        return NotImplemented
    key = self.__record_key__
    return key(self) == key(other)


def _hash(self):
    return hash(self.__record_key__(self))


def _key_of(names: list[str]) -> Callable[[Any], tuple]:
    """The compared fields' values as a tuple, read in C (equality and hashes are on the
    path of every edit and every switch of script)."""
    if len(names) > 1:
        return attrgetter(*names)
    if names:
        one = attrgetter(names[0])
        return lambda value: (one(value),)
    return lambda value: ()


def _repr(self):
    inner = ", ".join(f"{name}={getattr(self, name)!r}" for name in self.__record_fields__)
    return f"{type(self).__qualname__}({inner})"


def _define(cls: type, frozen: bool) -> type:
    fields: list[str] = []
    compare: list[str] = []
    defaults: dict[str, Any] = {}
    for base in reversed(cls.__mro__[1:]):
        if "__record_fields__" in base.__dict__:
            for name in base.__record_fields__:
                if name not in fields:
                    fields.append(name)
            compare = [n for n in fields if n in base.__record_compare__ or n in compare]
            defaults.update(base.__record_defaults__)
    for name, annotation in cls.__dict__.get("__annotations__", {}).items():
        if str(annotation).startswith(("ClassVar", "typing.ClassVar")):
            continue
        if name not in fields:
            fields.append(name)
        value = cls.__dict__.get(name, _MISSING)
        if value is not _MISSING:
            defaults[name] = value
            if isinstance(value, _Factory):
                delattr(cls, name)   # read through the instance, never the class
        if not (isinstance(value, _Factory) and not value.compare):
            if name not in compare:
                compare.append(name)
        elif name in compare:
            compare.remove(name)
    compare = [n for n in fields if n in compare]

    # __init__ is compiled (as dataclasses does) so that making a record stays quick
    arguments, body, scope = [], [], {"MISSING": _MISSING}
    seen_default = False
    for name in fields:
        value = defaults.get(name, _MISSING)
        if value is _MISSING:
            if seen_default:
                raise TypeError(f"{cls.__name__}: field {name!r} without a default follows "
                                "one with a default")
            arguments.append(name)
        elif isinstance(value, _Factory):
            seen_default = True
            scope[f"make_{name}"] = value.make
            arguments.append(f"{name}=MISSING")
            body.append(f" if {name} is MISSING: {name} = make_{name}()")
        else:
            seen_default = True
            scope[f"default_{name}"] = value
            arguments.append(f"{name}=default_{name}")
    body += [f" state[{name!r}] = {name}" for name in fields]
    if hasattr(cls, "__post_init__"):
        body.append(" self.__post_init__()")
    source = (f"def __init__(self, {', '.join(arguments)}):\n state = self.__dict__\n"
              + "\n".join(body) + "\n")
    exec(source, scope)  # noqa: S102 - our own generated source, as in dataclasses
    init = scope["__init__"]
    init.__qualname__ = f"{cls.__qualname__}.__init__"

    cls.__init__ = init
    cls.__record_fields__ = tuple(fields)
    cls.__record_compare__ = tuple(compare)
    cls.__record_key__ = staticmethod(_key_of(compare))
    cls.__record_defaults__ = defaults
    cls.__match_args__ = tuple(fields)
    cls.__record_frozen__ = frozen
    if "__repr__" not in cls.__dict__:
        cls.__repr__ = _repr
    if "__eq__" not in cls.__dict__:
        cls.__eq__ = _eq
    if frozen:
        cls.__setattr__ = _frozen_setattr
        cls.__delattr__ = _frozen_delattr
        if "__hash__" not in cls.__dict__ or cls.__dict__["__hash__"] is None:
            cls.__hash__ = _hash
    elif "__hash__" not in cls.__dict__:
        cls.__hash__ = None   # mutable and compared by value: unhashable, as a dataclass
    return cls


def record(cls: type[T] | None = None, *, frozen: bool = True):
    """Make ``cls`` a record (see the module's docstring); ``@record`` or
    ``@record(frozen=False)``."""
    if cls is None:
        return lambda actual: _define(actual, frozen)
    return _define(cls, frozen)


def fields_of(value: object) -> tuple[str, ...]:
    """The field names of a record (or a record class), in order."""
    return value.__record_fields__


def replace(value: T, /, **changes: Any) -> T:
    """A copy of the record ``value`` with ``changes`` (``dataclasses.replace``, which it
    calls for a dataclass)."""
    names = getattr(type(value), "__record_fields__", None)
    if names is None:
        import dataclasses

        return dataclasses.replace(value, **changes)
    unknown = set(changes) - set(names)
    if unknown:
        raise TypeError(f"{type(value).__name__} has no field {', '.join(sorted(unknown))}")
    current = {name: getattr(value, name) for name in names if name not in changes}
    return type(value)(**current, **changes)


def as_dict(value: object) -> dict[str, Any]:
    """The record's fields and values, shallow (``dataclasses.asdict`` without recursing)."""
    return {name: getattr(value, name) for name in value.__record_fields__}

"""Log level control: ``torch_tensorrt.logging.set_reportable_log_level(Level.Info)`` or ``with logging.info(): ...``.

Build progress (one line per compile phase with its time: lowering, conversion or partitioning,
builder passes, tactic timing, serialization) is printed at the default level; turn it off with
``set_progress(False)`` or ``with torch_tensorrt.logging.no_progress(): ...`` (a level below
Warning, e.g. ``with logging.errors():``, hides it too)."""
import enum
import sys

from torch_tensorrt import _C


class Level(enum.IntEnum):
    InternalError = 0
    Error = 1
    Warning = 2
    Info = 3
    Debug = 4
    Graph = 5


def set_reportable_log_level(level: Level) -> None:
    """Messages above `level` are dropped."""
    _C.set_reportable_log_level(int(level))


def get_reportable_log_level() -> Level:
    """The current level."""
    return Level(_C.get_reportable_log_level())


def log(level: Level, message: str) -> None:
    """Reports `message` at `level` the way the compiler's own messages are reported (stderr,
    "Torch-TensorRT - Warning: ..."), when `level` is reportable."""
    if level <= get_reportable_log_level():
        print(f"Torch-TensorRT - {level.name}: {message}", file=sys.stderr)


def set_progress(enabled: bool) -> None:
    """Whether compiles print their progress lines (on by default)."""
    _C.set_progress(bool(enabled))


def get_progress() -> bool:
    return bool(_C.get_progress())


class _ProgressContext:
    def __init__(self, enabled: bool) -> None:
        self.enabled = enabled

    def __enter__(self) -> None:
        self.previous = get_progress()
        set_progress(self.enabled)

    def __exit__(self, *exc) -> None:
        set_progress(self.previous)


def no_progress() -> _ProgressContext:
    """``with torch_tensorrt.logging.no_progress(): torch_tensorrt.compile(...)`` compiles silently."""
    return _ProgressContext(False)


class _LevelContext:
    def __init__(self, level: Level) -> None:
        self.level = level

    def __enter__(self) -> None:
        self.previous = get_reportable_log_level()
        set_reportable_log_level(self.level)

    def __exit__(self, *exc) -> None:
        set_reportable_log_level(self.previous)


def internal_errors() -> _LevelContext:
    return _LevelContext(Level.InternalError)


def errors() -> _LevelContext:
    return _LevelContext(Level.Error)


def warnings() -> _LevelContext:
    return _LevelContext(Level.Warning)


def info() -> _LevelContext:
    return _LevelContext(Level.Info)


def debug() -> _LevelContext:
    return _LevelContext(Level.Debug)


def graphs() -> _LevelContext:
    return _LevelContext(Level.Graph)

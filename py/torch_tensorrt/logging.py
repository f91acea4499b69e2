"""Log level control: ``torch_tensorrt.logging.set_reportable_log_level(Level.Info)`` or ``with logging.info(): ...``."""
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

"""The Matrix adapter (matrix-nio): plenary in real Matrix rooms."""

from bot.adapters.matrix.adapter import MatrixAdapter

__all__ = ["MatrixAdapter"]

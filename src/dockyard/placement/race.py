"""Random clocks: how the injected rng breaks ties without rescoring every instance.

Each candidate holds an exponentially distributed clock value drawn from the rng; the smallest
clock wins a tie. When a candidate is chosen, its clock advances by a fresh Exp(1) draw. By the
exponential distribution's memorylessness, the clocks of the candidates still in a tie, minus
the last winning value, are again independent Exp(1): every pick of a random-only batch is
uniform over the candidates, as if all numbers had been redrawn, yet only one draw is needed
per placement. Pure: randomness comes only from the injected source, in a fixed order.
"""

from __future__ import annotations

import math
import struct

from dockyard.infra.ids import RandomSource

_BYTES = 8
_MANTISSA = 53
_SCALE = 1.0 / (1 << _MANTISSA)


def exp_draws(rng: RandomSource, n: int) -> list[float]:
    """``n`` independent Exp(1) values from one ``rng.token_bytes`` call (none if ``n == 0``)."""
    if n <= 0:
        return []
    words = struct.unpack(f">{n}Q", rng.token_bytes(_BYTES * n))
    shift, log, scale = _BYTES * 8 - _MANTISSA, math.log, _SCALE
    return [-log(((w >> shift) + 1) * scale) for w in words]

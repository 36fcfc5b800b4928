"""What a fresh clone's files on disk mean, worked out while this process would wait for the
render child.

After a fresh clone's edit, each file the record vouches for (but a model module, taken as the
record says) is compared with its render (`meaning`), both sides parsed: the 41 client modules of
the full OpenAI SDK once the render child is done, 0.5 s on two cores at the end of the run. The
disk's side needs no render: this process works it out beforehand, a file at a time whenever the
child has nothing for it, and the comparison parses the render alone. (A helper process doing it
at the lowest priority put 43 MB on the peak; done before the models' files, it delayed them.)
"""

from __future__ import annotations

from .format_record import Prior
from .formatting import unconfirmed
from .meaning import meaning_digest


class MeaningsAhead:
    """The `meaning_digest` of each file on disk no verdict kept holds, put in `prior.meanings`
    one `step` at a time, largest first."""

    def __init__(self, package: str, prior: Prior) -> None:
        self._prior = prior
        self._todo = sorted(unconfirmed(package, prior), key=lambda path: (len(prior.files[path]), path))

    def step(self, skip: dict[str, str]) -> bool:
        """Works out the meaning of the largest file left but those in `skip` (compared already);
        False when none is left."""
        while self._todo:
            path = self._todo.pop()
            if path not in skip:
                self._prior.meanings[path] = meaning_digest(path, self._prior.files[path])
                return True
        return False

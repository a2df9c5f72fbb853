"""A small English → Korean grammar: its lexicon, its rules, and correct Korean particles.

English puts the verb second and the place last: S V (O) (P NP), "The cat ate the fish on the mat."
Korean puts the verb last and the place before the object: S (NP + postposition) (O) V,
"고양이가 매트 위에서 생선을 먹었다." So a translator must reorder, and its cross-attention
cannot be a diagonal.

Korean marks each noun's role with a particle glued to it, and the particle's form depends on the
sound the noun ends with:
    subject 이 / 가: 이 after a final consonant (받침), 가 after a vowel: 곰이, 고양이가.
    object 을 / 를: 을 after a final consonant, 를 after a vowel: 빵을, 사과를.
A place is a noun followed by a position noun that carries the locative particle, which the
*verb* chooses, not the noun:
    에   the place where a state holds or a movement ends. Posture and position verbs (sit, lie,
         stand, hide) leave their subject somewhere: 매트 위에 앉았다 (it sat down and is now on the
         mat).
    에서 the place where an activity happens: 매트 위에서 놀았다, 침대 위에서 잤다, 부엌에서 먹었다.
    (*매트 위에서 앉았다 and *침대 위에 잤다 are what a learner of Korean would get wrong.)
The place phrase always tells where the event happened (it modifies the verb, not the object):
"The cat ate the fish on the mat." is 고양이가 매트 위에서 생선을 먹었다.

Every verb is in the past tense, plain declarative style (해라체, as in written narration: 앉았다,
먹었다); every English noun has the article "the". One Korean word per English word, as in the rest
of the series (cat 고양이, mat 매트, dog 개). The grammar is grammatical, not always sensible: a
bear may sleep in a basket.

Taught in 08_train_a_translator.ipynb.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

__all__ = [
    "ADJECTIVES",
    "BOOK_SENTENCE",
    "FOODS",
    "PLACES",
    "POSITIONS",
    "SUBJECTS",
    "THINGS",
    "VERBS",
    "Sentence",
    "Verb",
    "has_final_consonant",
    "locative",
    "object_form",
    "subject_form",
]

# --- the lexicon: English → Korean, one word each -------------------------------------------------

SUBJECTS = {  # who does something (also what "saw" and "chased" take as objects)
    "cat": "고양이",
    "dog": "개",
    "bird": "새",
    "rabbit": "토끼",
    "bear": "곰",
    "boy": "소년",
    "girl": "소녀",
    "child": "아이",
}
FOODS = {"fish": "생선", "apple": "사과", "bread": "빵", "meat": "고기", "cake": "케이크"}
THINGS = {"ball": "공", "book": "책", "hat": "모자"}
POSITIONS = {"on": "위", "under": "아래", "in": "안", "beside": "옆"}  # English preposition → 위 …
PLACES: dict[str, tuple[str, tuple[str, ...]]] = {  # place → (Korean, the prepositions it takes)
    "mat": ("매트", ("on", "under", "beside")),
    "sofa": ("소파", ("on", "under", "beside")),
    "bed": ("침대", ("on", "under", "beside")),
    "table": ("탁자", ("on", "under", "beside")),
    "chair": ("의자", ("on", "under", "beside")),
    "box": ("상자", ("on", "in", "beside")),
    "basket": ("바구니", ("in", "beside")),
    "house": ("집", ("in", "beside")),
    "tree": ("나무", ("on", "under", "beside")),
    "car": ("차", ("in", "under", "beside")),
}
ADJECTIVES = {"small": "작은", "big": "큰", "black": "검은", "white": "하얀"}

Locative = Literal["에", "에서"]


@dataclass(frozen=True)
class Verb:
    """A verb in the past tense in both languages, the locative it takes, and its objects.

    locative: "에" for a state or an end point (sit, lie, stand, hide), "에서" for an activity.
    objects: the English nouns it may take as object; () for an intransitive verb.
    """

    english: str
    korean: str
    locative: Locative
    objects: tuple[str, ...] = ()


_ANIMATE = tuple(SUBJECTS)
VERBS = {
    v.english: v
    for v in (
        Verb("sat", "앉았다", "에"),
        Verb("lay", "누웠다", "에"),
        Verb("stood", "섰다", "에"),
        Verb("hid", "숨었다", "에"),
        Verb("slept", "잤다", "에서"),
        Verb("played", "놀았다", "에서"),
        Verb("ran", "달렸다", "에서"),
        Verb("waited", "기다렸다", "에서"),
        Verb("ate", "먹었다", "에서", tuple(FOODS)),
        Verb("saw", "봤다", "에서", (*_ANIMATE, *THINGS)),
        Verb("chased", "쫓았다", "에서", (*_ANIMATE, "ball")),
        Verb("found", "찾았다", "에서", (*THINGS, *FOODS)),
    )
}
_NOUNS = {**SUBJECTS, **FOODS, **THINGS, **{k: v for k, (v, _) in PLACES.items()}}

# --- the rules ------------------------------------------------------------------------------


def has_final_consonant(word: str) -> bool:
    """Whether the last syllable of a Korean word has a final consonant (받침).

    A precomposed Hangul syllable U+AC00 … U+D7A3 is 0xAC00 + (initial·21 + vowel)·28 + final,
    with final 0 meaning none: 곰 (ㅁ) → True, 고양이 → False.
    Taught in 08_train_a_translator.ipynb.
    """
    code = ord(word[-1]) - 0xAC00 if word else -1
    if not 0 <= code < 11172:
        raise ValueError(f"{word!r} does not end in a Hangul syllable")
    return code % 28 != 0


def subject_form(noun: str) -> str:
    """The noun with its subject particle: 이 after a final consonant, else 가 (곰이, 개가)."""
    return noun + ("이" if has_final_consonant(noun) else "가")


def object_form(noun: str) -> str:
    """The noun with its object particle: 을 after a final consonant, else 를 (빵을, 사과를)."""
    return noun + ("을" if has_final_consonant(noun) else "를")


def locative(position: str, verb: Verb) -> str:
    """The position noun with the particle the verb asks for: 위에 (앉았다), 위에서 (놀았다)."""
    return position + verb.locative


# --- a sentence, in both languages ----------------------------------------------------------


@dataclass(frozen=True)
class Sentence:
    """One sentence of the grammar, by its English words; `english()` and `korean()` render it.

    Args:
        subject, verb: required. obj: the object of a transitive verb (required for one).
        preposition, place: the place phrase, both or neither.
        subject_adjective, object_adjective, place_adjective: optional adjectives.
    Raises: ValueError for a sentence outside the grammar (a wrong object, a lone preposition).
    Taught in 08_train_a_translator.ipynb.
    """

    subject: str
    verb: str
    obj: str | None = None
    preposition: str | None = None
    place: str | None = None
    subject_adjective: str | None = None
    object_adjective: str | None = None
    place_adjective: str | None = None

    def __post_init__(self) -> None:
        if self.subject not in SUBJECTS or self.verb not in VERBS:
            raise ValueError(f"unknown subject or verb: {self.subject!r}, {self.verb!r}")
        objects = VERBS[self.verb].objects
        if (self.obj is None) != (not objects) or (
            self.obj is not None and self.obj not in objects
        ):
            raise ValueError(f"{self.verb!r} takes the objects {objects}, got {self.obj!r}")
        if self.obj == self.subject:
            raise ValueError("the subject and the object must differ")
        if (self.place is None) != (self.preposition is None):
            raise ValueError("a place needs a preposition and a preposition a place")
        if self.place is not None and self.preposition not in PLACES[self.place][1]:
            raise ValueError(
                f"{self.place!r} takes {PLACES[self.place][1]}, not {self.preposition}"
            )
        for noun, adjective in self._noun_phrases():
            if adjective is not None and (noun is None or adjective not in ADJECTIVES):
                raise ValueError(f"adjective {adjective!r} needs a noun and must be known")

    def _noun_phrases(self) -> tuple[tuple[str | None, str | None], ...]:
        return (
            (self.subject, self.subject_adjective),
            (self.obj, self.object_adjective),
            (self.place, self.place_adjective),
        )

    def english(self) -> str:
        """S V (O) (P NP): "The small cat sat on the mat." """

        def np(noun: str, adjective: str | None) -> list[str]:
            return ["the", *([adjective] if adjective else []), noun]

        words = [*np(self.subject, self.subject_adjective), self.verb]
        if self.obj is not None:
            words += np(self.obj, self.object_adjective)
        if self.place is not None:
            words += [self.preposition, *np(self.place, self.place_adjective)]
        return " ".join(words).capitalize() + "."

    def korean(self) -> str:
        """S (NP + postposition) (O) V: "작은 고양이가 매트 위에 앉았다." """
        verb = VERBS[self.verb]

        def adj(adjective: str | None) -> list[str]:
            return [ADJECTIVES[adjective]] if adjective else []

        words = [*adj(self.subject_adjective), subject_form(SUBJECTS[self.subject])]
        if self.place is not None:
            words += [*adj(self.place_adjective), PLACES[self.place][0]]
            words.append(locative(POSITIONS[self.preposition], verb))
        if self.obj is not None:
            words += [*adj(self.object_adjective), object_form(_NOUNS[self.obj])]
        return " ".join([*words, verb.korean]) + "."

    @property
    def frame(self) -> tuple[str, str, str | None]:
        """(subject, verb, place): what the held-out split is made of."""
        return (self.subject, self.verb, self.place)

    @property
    def construction(self) -> str:
        """The sentence's shape, e.g. "S V O PP(에서)" or "S V PP(에) +adj"."""
        parts = ["S V"]
        if self.obj is not None:
            parts.append("O")
        if self.place is not None:
            parts.append(f"PP({VERBS[self.verb].locative})")
        if any(adjective for _, adjective in self._noun_phrases()):
            parts.append("+adj")
        return " ".join(parts)


BOOK_SENTENCE = Sentence("cat", "sat", preposition="on", place="mat")  # the chapter notes' sentence

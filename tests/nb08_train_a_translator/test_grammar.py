"""helpers.nb08_train_a_translator.grammar: hand-checked translations pin the Korean grammar."""

import re

import pytest

from helpers.nb08_train_a_translator.grammar import (
    BOOK_SENTENCE,
    Sentence,
    has_final_consonant,
    object_form,
    subject_form,
)

# One pair a line, each checked by hand: 이/가 and 을/를 by the final consonant, 에 for where
# a state holds (sit, lie, stand, hide), 에서 for where an activity happens, the verb last, the
# place before the object. First the Sentence's words: subject verb [object] [preposition place],
# an adjective in brackets after its noun.
PAIRS = """
cat sat on mat               | The cat sat on the mat.                   | 고양이가 매트 위에 앉았다.
dog slept under table        | The dog slept under the table.            | 개가 탁자 아래에서 잤다.
bear ate fish                | The bear ate the fish.                    | 곰이 생선을 먹었다.
boy saw bird                 | The boy saw the bird.                     | 소년이 새를 봤다.
cat(small) sat on mat(big)   | The small cat sat on the big mat.         | 작은 고양이가 큰 매트 위에 앉았다.
girl played in house         | The girl played in the house.             | 소녀가 집 안에서 놀았다.
rabbit ran beside tree       | The rabbit ran beside the tree.           | 토끼가 나무 옆에서 달렸다.
child ate bread on sofa      | The child ate the bread on the sofa.      | 아이가 소파 위에서 빵을 먹었다.
dog(black) chased cat(white) | The black dog chased the white cat.       | 검은 개가 하얀 고양이를 쫓았다.
bird hid in box              | The bird hid in the box.                  | 새가 상자 안에 숨었다.
bear lay under tree          | The bear lay under the tree.              | 곰이 나무 아래에 누웠다.
boy stood beside car         | The boy stood beside the car.             | 소년이 차 옆에 섰다.
cat found ball under bed     | The cat found the ball under the bed.     | 고양이가 침대 아래에서 공을 찾았다.
dog waited in car            | The dog waited in the car.                | 개가 차 안에서 기다렸다.
girl saw bear                | The girl saw the bear.                    | 소녀가 곰을 봤다.
cat slept                    | The cat slept.                            | 고양이가 잤다.
bear(big) ate apple          | The big bear ate the apple.               | 큰 곰이 사과를 먹었다.
dog chased ball in house     | The dog chased the ball in the house.     | 개가 집 안에서 공을 쫓았다.
child sat in basket          | The child sat in the basket.              | 아이가 바구니 안에 앉았다.
rabbit ate cake on chair     | The rabbit ate the cake on the chair.     | 토끼가 의자 위에서 케이크를 먹었다.
girl(small) saw book(black)  | The small girl saw the black book.        | 작은 소녀가 검은 책을 봤다.
boy found meat beside basket | The boy found the meat beside the basket. | 소년이 바구니 옆에서 고기를 찾았다.
"""  # noqa: E501 (a table reads best one pair a line)


def _sentence(words: str) -> Sentence:
    """`cat(small) sat on mat(big)` -> the Sentence with those words in those roles."""
    (subject, subject_adjective), (verb, _), *rest = re.findall(r"(\w+)(?:\((\w+)\))?", words)
    roles = {0: [], 1: ["obj"], 2: ["preposition", "place"], 3: ["obj", "preposition", "place"]}
    fields = {"subject": subject, "verb": verb, "subject_adjective": subject_adjective or None}
    for role, (word, adjective) in zip(roles[len(rest)], rest, strict=True):
        fields[role] = word
        if adjective:
            fields["object_adjective" if role == "obj" else "place_adjective"] = adjective
    return Sentence(**fields)


TABLE = [
    (_sentence(words), english, korean)
    for words, english, korean in (
        (column.strip() for column in line.split("|")) for line in PAIRS.strip().splitlines()
    )
]
BY_ENGLISH = {english: sentence for sentence, english, _ in TABLE}


@pytest.mark.parametrize(("sentence", "english", "korean"), TABLE, ids=[e for _, e, _ in TABLE])
def test_hand_checked_translations(sentence, english, korean):
    assert sentence.english() == english
    assert sentence.korean() == korean


def test_final_consonant_from_the_hangul_syllable():
    assert [has_final_consonant(w) for w in ("곰", "빵", "소년", "책", "고양이", "개", "사과")] == [
        True,
        True,
        True,
        True,
        False,
        False,
        False,
    ]
    assert (subject_form("곰"), subject_form("개")) == ("곰이", "개가")
    assert (object_form("빵"), object_form("사과")) == ("빵을", "사과를")
    with pytest.raises(ValueError, match="Hangul"):
        has_final_consonant("cat")


def test_constructions_name_the_shape_and_the_locative():
    assert BY_ENGLISH["The cat sat on the mat."] == BOOK_SENTENCE
    assert BOOK_SENTENCE.construction == "S V PP(에)"
    assert BY_ENGLISH["The child ate the bread on the sofa."].construction == "S V O PP(에서)"
    assert BY_ENGLISH["The small cat sat on the big mat."].construction == "S V PP(에) +adj"
    assert BOOK_SENTENCE.frame == ("cat", "sat", "mat")


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        (dict(subject="dragon", verb="sat"), "unknown"),
        (dict(subject="cat", verb="ate"), "takes the objects"),
        (dict(subject="cat", verb="sat", obj="fish"), "takes the objects"),
        (dict(subject="cat", verb="saw", obj="cat"), "must differ"),
        (dict(subject="cat", verb="sat", place="mat"), "preposition"),
        (dict(subject="cat", verb="sat", preposition="in", place="mat"), "takes"),
        (dict(subject="cat", verb="sat", object_adjective="big"), "adjective"),
    ],
)
def test_sentences_outside_the_grammar_are_refused(kwargs, match):
    with pytest.raises(ValueError, match=match):
        Sentence(**kwargs)

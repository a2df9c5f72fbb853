"""The core translator (`helpers.translator`): the shipped checkpoint behind `helpers.translate`."""

import pytest

import helpers
from helpers.translator import check_english, detokenize, shipped_translator


def test_helpers_translate_is_the_shipped_checkpoint():
    assert helpers.translate("The cat sat on the mat.") == "고양이가 매트 위에 앉았다."
    assert helpers.translate("the cat sat on the mat", beam_size=4) == "고양이가 매트 위에 앉았다."


@pytest.mark.parametrize(
    ("text", "match"),
    [("", "Type an English sentence"), ("The cat flew.", "does not know 'flew'"), (3, "string")],
)
def test_helpers_translate_says_what_is_wrong(text, match):
    with pytest.raises(ValueError, match=match):
        helpers.translate(text)


def test_the_checkpoint_carries_its_vocabularies():
    translator = shipped_translator()
    assert translator.known_words[:2] == ("the", "cat")
    assert "앉았다" in translator.korean.tokens
    ids = translator.korean.encode("고양이가 매트 위에 앉았다", bos=True, eos=True)[0]
    assert detokenize(ids) == "고양이가 매트 위에 앉았다."
    assert check_english("THE CAT SAT!") == ["the", "cat", "sat"]

"""Ground Truth's input manifest limits on the lines the pipeline writes: 100,000 characters per JSON object,
20,000 per attribute, counted on the line as written (see ``manifests``)."""

from __future__ import annotations

from labeling_pipeline.jsonlines import dumps_line
from labeling_pipeline.manifests import (
    manifest_line,
    review_line,
    size_problem,
    verification_line,
)
from labeling_pipeline.model import SourceObject


def _line_of(characters: int) -> dict[str, str]:
    """Six attributes of at most 20,000 characters whose compact line is exactly ``characters`` long."""
    line = {f"a{n}": "" for n in range(6)}
    room = characters - len(dumps_line(line))
    for n in range(6):
        line[f"a{n}"] = "x" * min(room, 19_990)
        room -= len(line[f"a{n}"])
    assert len(dumps_line(line)) == characters
    return line


def test_a_line_of_100000_characters_fits_and_one_more_does_not() -> None:
    # Given lines of exactly 100,000 and 100,001 characters, no attribute above 20,000
    fits, too_long = _line_of(100_000), _line_of(100_001)
    # Then only the longer one is refused, with both numbers in the reason
    assert size_problem(fits) is None
    assert size_problem(too_long) == (
        "its manifest line would be 100,001 characters; Ground Truth takes at most 100,000 per line"
    )


def test_an_attribute_of_20000_characters_fits_and_one_more_does_not() -> None:
    # Given attributes '"k":"<value>"' of exactly 20,000 and 20,001 characters (6 more than the value)
    fits, too_long = {"k": "x" * 19_994}, {"k": "x" * 19_995}
    assert size_problem(fits) is None
    assert size_problem(too_long) == (
        "its manifest attribute 'k' would be 20,001 characters; "
        "Ground Truth takes at most 20,000 per attribute"
    )


def test_characters_are_counted_as_written_escapes_included_unicode_not_escaped() -> None:
    # Given a value of quotes (each written as two characters) and one of "é" (written as itself)
    quotes, accents = {"k": '"' * 9_997}, {"k": "é" * 19_994}
    # Then the quotes make 19,994 + 6 = 20,000 characters, and the accents 20,000 too
    assert size_problem(quotes) is None
    assert size_problem({"k": '"' * 9_998}) is not None
    assert size_problem(accents) is None


def test_a_review_line_keeps_only_what_the_review_needs() -> None:
    # Given a labeling output line with the label, its metadata and a field of the user's
    output = {
        "source": "Alice visited Paris",
        "item-id": "i1",
        "label": {"annotations": {"entities": []}},
        "label-metadata": {"job-name": "labeling-job/j"},
        "extra": "kept by Ground Truth, not needed by the review",
    }
    # Then a custom review gets the data object, the item id and the proposed label; a built-in
    # verification job the data object, the item id, the label and its metadata
    assert review_line(output, "Alice: PERSON") == {
        "source": "Alice visited Paris",
        "item-id": "i1",
        "proposed_label": "Alice: PERSON",
    }
    assert verification_line(output, "label") == {k: v for k, v in output.items() if k != "extra"}


def test_an_input_line_names_the_object_or_holds_the_text() -> None:
    class Item:
        def __init__(self, text: str | None) -> None:
            self.source = SourceObject("bucket", "a b.png", "v1")
            self.text = text
            self.item_id = "id"

    assert manifest_line(Item(None)) == {"source-ref": "s3://bucket/a b.png", "item-id": "id"}
    assert manifest_line(Item("hello")) == {"source": "hello", "item-id": "id"}

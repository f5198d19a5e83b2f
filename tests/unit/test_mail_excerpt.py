"""A post's own words: quotes, attributions, signatures and list footers left out."""

from __future__ import annotations

import pytest

from bot.mail.excerpt import own_words

FOOTER = """_______________________________________________
EMM mailing list
EMM@lists.example.org
https://lists.example.org/mailman/listinfo/emm"""


@pytest.mark.parametrize(("body", "expected"), [
    ("I agree.\n\n> You said #wp5\n> more", "I agree."),
    ("On Mon, 7 Oct 2019 at 10:00, Bob <bob@example.org> wrote:\n> quoted\n\nYes.", "Yes."),
    ("On Mon, 7 Oct 2019 at 10:00, Bob <\nbob@example.org> wrote:\n> quoted\nYes.", "Yes."),
    ("Le lun. 7 oct. 2019, Anne a écrit :\n> cité\nD'accord.", "D'accord."),
    ("El lun, 7 oct 2019, Ana escribió:\n> citado\nDe acuerdo.", "De acuerdo."),
    ("Top post first.\n\nBob wrote:\n> below", "Top post first."),
    ("Words.\n-- \nAlice\nHer org", "Words."),
    ("Words.\n\n" + FOOTER, "Words."),
    ("Words.\n-------------- next part --------------\nAn HTML attachment was scrubbed",
     "Words."),
    ("Words.\n\n-----Original Message-----\nFrom: Bob\nold text", "Words."),
    ("One.\n\n\n\nTwo.", "One.\n\nTwo."),
    ("Mine.\n\nFrom: Bob <bob@example.org>\nSent: Monday, 7 October 2019\nSubject: x\n\nold",
     "Mine."),
    ("À moi.\n\nDe : Anne\nEnvoyé : lundi 7 octobre 2019\n\nancien", "À moi."),
    ("I wrote: this line stays, it is not an attribution", "I wrote: this line stays, it "
     "is not an attribution"),
])
def test_own_words(body: str, expected: str) -> None:
    assert own_words(body) == expected

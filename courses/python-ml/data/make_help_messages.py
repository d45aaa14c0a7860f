"""Generate ``help_messages.csv``, the synthetic text data set used in lessons 08, 11 and 12.

Short messages that learners of an imaginary online course sent to its help desk, each
labelled with the team that should answer it: ``account``, ``billing``, ``technical`` or
``content``. Every message is assembled from hand-written phrase templates by a seeded random
generator, so running this script again gives exactly the same file:

    python make_help_messages.py        # writes help_messages.csv next to this file

To keep the task realistic (and the evaluation honest), the messages are not perfectly clean:

* some are written in lower case, without punctuation, or with a common typo;
* about one in eight mixes in a phrase from another topic (the label stays the main topic);
* about 3% of the labels were filed under the wrong team, as happens in real help desks.

Released under CC0 1.0 (public domain dedication).
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

SEED = 11
PER_TOPIC = 150
OUT = Path(__file__).with_name("help_messages.csv")

# The core of each message: what the learner needs.
CORES = {
    "account": [
        "I can't log in to my account",
        "I forgot my password and the reset email never arrives",
        "how do I change the email address on my profile",
        "my username is spelled wrong, can you fix it",
        "please delete my account and my data",
        "the two-factor code on my phone is not accepted",
        "I signed up twice by mistake and have two accounts",
        "my account is locked after too many login attempts",
        "can I change my display name",
        "the password reset link says it has expired",
        "I want to merge my work account with my personal one",
        "I no longer have access to the email I registered with",
    ],
    "billing": [
        "I was charged twice for the same month",
        "can I get a refund for the course",
        "please send me an invoice for my company",
        "my card payment keeps being declined",
        "how much does the yearly subscription cost",
        "I cancelled my subscription but was still charged",
        "is there a student discount",
        "the invoice shows the wrong company name",
        "can I pay by bank transfer instead of card",
        "the discount code does not work at checkout",
        "why did the price go up this month",
        "I need a receipt for the payment I made yesterday",
    ],
    "technical": [
        "the notebook won't load, it just shows a spinner",
        "my kernel keeps crashing when I run the first cell",
        "the lesson video does not play in my browser",
        "uploading my project file fails with an error",
        "the site is very slow this morning",
        "I get a 500 error when I open the lesson page",
        "my code cell has been running for ever and nothing happens",
        "the page is blank in Firefox",
        "Jupyter says the server is not responding",
        "I lost my work after the notebook disconnected",
        "the submit button does nothing",
        "the app logs me out every few minutes",
    ],
    "content": [
        "I don't understand the explanation of broadcasting in lesson 3",
        "the answer to exercise 2 looks wrong to me",
        "there is a typo in the pandas lesson",
        "could you add more examples of groupby",
        "why does the lesson use a pipeline here",
        "what is the difference between loc and iloc",
        "the section on cross-validation is confusing",
        "is there a reading list for the machine learning part",
        "the hint for the last exercise gives away the answer",
        "which lesson explains list comprehensions",
        "the plot in the matplotlib lesson has no axis labels",
        "can you explain overfitting in simpler words",
    ],
}
OPENERS = [
    "",
    "",
    "",
    "Hi, ",
    "Hello, ",
    "Hi team, ",
    "Sorry to bother you, ",
    "Quick question: ",
    "Help! ",
]
CLOSERS = [
    "",
    "",
    "",
    " Thanks!",
    " Thank you.",
    " Any idea?",
    " Please help.",
    " This is urgent.",
    " Cheers",
]
# Phrases that point at another topic, mixed into some messages.
ASIDES = {
    "account": " (I also had to reset my password)",
    "billing": " and I paid for the full year",
    "technical": " even after restarting my browser",
    "content": " while I was doing the exercises",
}
TYPOS = {
    "the": "teh",
    "account": "acount",
    "password": "pasword",
    "receive": "recieve",
    "notebook": "notebok",
}


def _message(rng: np.random.Generator, topic: str) -> str:
    core = str(rng.choice(CORES[topic]))
    if rng.random() < 0.12:
        other = str(rng.choice([t for t in CORES if t != topic]))
        core += ASIDES[other]
    text = str(rng.choice(OPENERS)) + core
    text = text[0].upper() + text[1:]
    if rng.random() < 0.7:
        text += str(rng.choice([".", "?", "!", "..."]))
    text += str(rng.choice(CLOSERS))
    if rng.random() < 0.2:
        text = text.lower()
    if rng.random() < 0.15:
        words = text.split(" ")
        spots = [i for i, w in enumerate(words) if w.lower().strip(".,?!") in TYPOS]
        if spots:
            i = int(rng.choice(spots))
            words[i] = TYPOS[words[i].lower().strip(".,?!")]
            text = " ".join(words)
    return text


def make_messages(seed: int = SEED) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    rows = [
        {"text": _message(rng, topic), "topic": topic} for topic in CORES for _ in range(PER_TOPIC)
    ]
    df = pd.DataFrame(rows)
    # A few messages were filed under the wrong team.
    topics = list(CORES)
    for i in rng.choice(len(df), size=int(0.03 * len(df)), replace=False):
        df.loc[i, "topic"] = str(rng.choice([t for t in topics if t != df.loc[i, "topic"]]))
    df = df.sample(frac=1, random_state=seed).reset_index(drop=True)
    df.insert(0, "id", [f"M{i:04d}" for i in range(1, len(df) + 1)])
    return df


if __name__ == "__main__":
    messages = make_messages()
    messages.to_csv(OUT, index=False)
    print(f"wrote {len(messages)} rows to {OUT}")

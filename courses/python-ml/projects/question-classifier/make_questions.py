"""Generate the synthetic data sets of the question-classifier project.

Questions that learners of an imaginary Python course asked their mentors, each labelled
with the topic it is about: ``python``, ``pandas``, ``plotting``, ``machine-learning`` or
``deep-learning``. They are assembled from hand-written phrase templates by a seeded random
generator, so running this script again gives exactly the same files:

    python make_questions.py     # writes questions_train.csv and questions_fresh.csv here

* ``questions_train.csv`` (560 questions): the labelled questions to learn from. The topics
  are unbalanced, as real questions are (many about Python, few about plotting).
* ``questions_fresh.csv`` (60 questions): questions built from a *separate* set of
  phrasings that never occur in the training file, as if asked by a new cohort. They
  show how a classifier copes with wording it has not seen.

Both files are a little messy: some questions are in lower case, without a question mark,
or start with a greeting.

Released under CC0 1.0 (public domain dedication).
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

SEED = 5
HERE = Path(__file__).parent
TRAIN_SIZES = {
    "python": 180,
    "pandas": 140,
    "machine-learning": 120,
    "deep-learning": 70,
    "plotting": 50,
}
FRESH_PER_TOPIC = 12

# (phrasings for training, phrasings kept for the fresh set)
PHRASES = {
    "python": (
        [
            "why does my for loop skip the last item",
            "what is the difference between a list and a tuple",
            "how do I write a function with a default argument",
            "why do I get an IndentationError",
            "how do I loop over a dictionary's keys and values",
            "what does a list comprehension do",
            "how do I catch a ValueError with try and except",
            "why is my function returning None",
            "how do f-strings format a number to two decimals",
            "what is the difference between == and is",
            "how do I read a text file line by line",
            "why does appending to a list inside a function change it outside",
            "how do I sort a list of tuples by the second item",
            "what does the // operator do",
        ],
        [
            "when should I use a set rather than a list",
            "my while loop never stops, what did I do wrong",
            "how can a function give back two values",
            "what does a KeyError mean when I look something up in a dict",
            "how do I turn the string '42' into an integer",
            "why is my variable not defined inside the if block",
        ],
    ),
    "pandas": (
        [
            "how do I drop rows with missing values in one column",
            "what is the difference between loc and iloc",
            "how do I group by a column and take the mean",
            "why does read_csv give my numbers as strings",
            "how do I remove duplicate rows from a dataframe",
            "how do I merge two dataframes on a key column",
            "how do I convert a column to datetime",
            "why do I get a SettingWithCopyWarning",
            "how do I filter a dataframe with two conditions",
            "how do I rename the columns of a dataframe",
            "how do I count the values in a column",
            "how do I fill missing values with the median",
            "how do I sort a dataframe by two columns",
            "what does reset_index(drop=True) do",
        ],
        [
            "how do I keep only the rows where the city is Paris in my table",
            "can I make a pivot table with one row per shop",
            "my csv has 'n/a' in it, how do I treat that as missing",
            "how do I add a new column computed from two others",
            "how can I join a second table that shares an id column",
            "the agg call with several statistics confuses me",
        ],
    ),
    "plotting": (
        [
            "how do I add labels to the axes of a matplotlib plot",
            "how do I put two plots side by side with subplots",
            "why is my legend empty",
            "how do I change the number of bins in a histogram",
            "how do I save a figure as a png file",
            "how do I draw a scatter plot with colours by group",
            "how do I rotate the date labels on the x axis",
            "how do I make a bar chart from a groupby result",
        ],
        [
            "the tick labels on my chart overlap, can I tilt them",
            "how do I draw a horizontal line at the mean on my figure",
            "my figure is too small in the notebook, how do I make it bigger",
            "can I show a log scale on the y axis",
        ],
    ),
    "machine-learning": (
        [
            "why should I split my data into a training and a test set",
            "what does cross-validation tell me",
            "my model has 100% training accuracy but 70% on the test set",
            "what is the difference between precision and recall",
            "why do I need to scale features for logistic regression",
            "how do I choose max_depth for a decision tree",
            "what does a confusion matrix show",
            "why put the scaler inside a pipeline",
            "what is a baseline model and why do I need one",
            "how does TF-IDF weight the words",
            "why is accuracy misleading with unbalanced classes",
            "what does the C parameter of logistic regression do",
        ],
        [
            "is it wrong to tune my settings by looking at the test score",
            "how can I tell if my classifier is overfitting",
            "which metric should I report when one class is rare",
            "what does stratify do in train_test_split",
            "why are my cross-validation scores so different between folds",
            "should the vectorizer be fitted on all the texts or only the training ones",
        ],
    ),
    "deep-learning": (
        [
            "why do I have to call optimizer.zero_grad",
            "what does loss.backward actually compute",
            "my pytorch loss is nan after a few steps",
            "what is the difference between model.train and model.eval",
            "how do I move my model to the gpu",
            "what does the attention mask do in a transformer",
            "how do I fine-tune a pretrained encoder for classification",
            "what learning rate should I use for fine-tuning",
            "why does my tensor have the wrong shape for nn.Linear",
        ],
        [
            "do I need torch.no_grad when I make predictions",
            "the tokenizer splits words into pieces with ##, why",
            "how many epochs should I fine-tune a transformer for",
            "what is a logit",
            "why use mean pooling to get a sentence embedding",
            "my network's validation loss goes up while the training loss goes down",
        ],
    ),
}
OPENERS = ["", "", "", "", "Hi, ", "Hello! ", "Quick question: ", "Sorry if this is obvious, but "]
CLOSERS = ["", "", "", "", " Thanks!", " Thank you", " Any hints?"]


def _question(rng: np.random.Generator, phrase: str) -> str:
    text = str(rng.choice(OPENERS)) + phrase
    text = text[0].upper() + text[1:]
    if rng.random() < 0.75:
        text += "?"
    text += str(rng.choice(CLOSERS))
    if rng.random() < 0.25:
        text = text.lower()
    return text


def make_questions(seed: int = SEED) -> tuple[pd.DataFrame, pd.DataFrame]:
    rng = np.random.default_rng(seed)
    train_rows = [
        {"question": _question(rng, str(rng.choice(PHRASES[topic][0]))), "topic": topic}
        for topic, size in TRAIN_SIZES.items()
        for _ in range(size)
    ]
    fresh_rows = [
        {"question": _question(rng, PHRASES[topic][1][i % len(PHRASES[topic][1])]), "topic": topic}
        for topic in TRAIN_SIZES
        for i in range(FRESH_PER_TOPIC)
    ]
    train = pd.DataFrame(train_rows).sample(frac=1, random_state=seed).reset_index(drop=True)
    fresh = pd.DataFrame(fresh_rows).sample(frac=1, random_state=seed).reset_index(drop=True)
    train.insert(0, "id", [f"Q{i:04d}" for i in range(1, len(train) + 1)])
    fresh.insert(0, "id", [f"N{i:03d}" for i in range(1, len(fresh) + 1)])
    return train, fresh


if __name__ == "__main__":
    train, fresh = make_questions()
    train.to_csv(HERE / "questions_train.csv", index=False)
    fresh.to_csv(HERE / "questions_fresh.csv", index=False)
    print(f"wrote {len(train)} training and {len(fresh)} fresh questions to {HERE}")

"""Generate the dashboard's demo sample: `sample_reviews.csv`, synthetic product reviews.

These reviews are made up (seeded, reproducible) so a newcomer sees every chart within seconds:
five products, six months of dates, star ratings that mostly agree with the text, a few sarcastic
or mismatched ones, and one product (the coffee maker) that gets worse after a summer redesign.

    python -m dashboard.sample_data.make_sample        # rewrites sample_reviews.csv
"""

from __future__ import annotations

import csv
import random
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path

OUT = Path(__file__).resolve().parent / "sample_reviews.csv"
SEED = 20261128
START = date(2026, 5, 18)
DAYS = 182
N_REVIEWS = 1200


@dataclass(frozen=True)
class Product:
    """A demo product: its name, how many reviews it gets, and its phrase bank per sentiment."""

    name: str
    weight: float
    positive: tuple[str, ...]
    neutral: tuple[str, ...]
    negative: tuple[str, ...]
    # share of negative / neutral at the start and at the end of the period (linear in between)
    neg_start: float
    neg_end: float
    neutral_share: float


PRODUCTS = (
    Product(
        "Aurora ANC Headphones",
        0.24,
        positive=(
            "The noise cancelling is superb, the train commute is finally quiet",
            "Battery easily lasts a week of office use",
            "Sound is warm and detailed, bass is punchy without being muddy",
            "Very comfortable even after a three-hour flight",
            "Pairing with my phone and laptop at the same time works flawlessly",
            "Calls sound clear, colleagues say I sound better than on my old headset",
        ),
        neutral=(
            "Sound is fine for the price, nothing special",
            "The case is a bit bulky but it protects them",
            "Noise cancelling is decent, not as strong as the premium brands",
            "They get warm after an hour or so",
        ),
        negative=(
            "The left ear cup started crackling after two weeks",
            "Bluetooth keeps dropping when my phone is in my pocket",
            "The headband cracked within a month",
            "Way too tight, I get a headache after thirty minutes",
            "The app is buggy and the firmware update bricked them",
        ),
        neg_start=0.15,
        neg_end=0.14,
        neutral_share=0.17,
    ),
    Product(
        "BrewMaster 12-Cup Coffee Maker",
        0.24,
        positive=(
            "Makes a great pot of coffee in under ten minutes",
            "The timer means fresh coffee is ready when I wake up",
            "Coffee is hot and tastes rich, much better than my old machine",
            "Easy to clean and the carafe pours without dripping",
            "Quiet, fast and the warming plate keeps it hot for hours",
        ),
        neutral=(
            "Does the job, the coffee is okay",
            "Takes a little longer than I expected to brew",
            "The water tank markings are hard to read",
            "Works as described, nothing to rave about",
        ),
        negative=(
            "It leaks all over the counter every single time",
            "The new model's lid does not close properly and water spills out",
            "Coffee comes out lukewarm, the heater seems weak",
            "Stopped working after three weeks, the display just went dark",
            "The carafe drips everywhere and the handle feels flimsy",
            "Customer service ignored my emails about the leaking tank",
            "Tastes like plastic no matter how many times I run vinegar through it",
        ),
        neg_start=0.12,
        neg_end=0.62,
        neutral_share=0.15,
    ),
    Product(
        "Stride Pro Running Shoes",
        0.2,
        positive=(
            "Light, springy and my knees feel great after a 10k",
            "Fit true to size and the toe box is roomy",
            "Grip is excellent on wet pavement",
            "Best cushioning I have had in years, perfect for long runs",
            "Breathable and comfortable straight out of the box",
        ),
        neutral=(
            "Comfortable but the laces are too short",
            "Run slightly narrow, I went half a size up",
            "Good shoes, but the colour is duller than in the photos",
        ),
        negative=(
            "The sole started peeling off after 100 km",
            "Gave me blisters on every run",
            "Far too stiff, no cushioning at all",
            "The stitching came apart within a month",
        ),
        neg_start=0.1,
        neg_end=0.1,
        neutral_share=0.18,
    ),
    Product(
        "ShieldCase for Phone 15",
        0.16,
        positive=(
            "Survived several drops onto concrete without a scratch",
            "Slim, grippy and the buttons still click nicely",
            "Fits perfectly and wireless charging still works",
        ),
        neutral=(
            "It's a phone case, it does what it should",
            "Looks fine, picks up some lint in the pocket",
            "Okay protection, a bit slippery",
        ),
        negative=(
            "Cracked the first time I dropped it",
            "The buttons are so stiff I can barely turn up the volume",
            "Yellowed after a few weeks, looks cheap",
            "Cutout for the camera is misaligned",
            "Way too slippery, my phone slid off the table twice",
        ),
        neg_start=0.3,
        neg_end=0.3,
        neutral_share=0.27,
    ),
    Product(
        "HydraSoft Daily Moisturiser",
        0.16,
        positive=(
            "Absorbs quickly and leaves my skin soft all day",
            "No greasy feel and the scent is very subtle",
            "My dry patches cleared up within a week",
            "Gentle on sensitive skin, no redness at all",
        ),
        neutral=(
            "Nice texture but the bottle is small for the price",
            "Works fine, nothing dramatic",
            "The pump sometimes gives too much cream",
        ),
        negative=(
            "Broke me out in a rash after two days",
            "Far too greasy, it sits on top of the skin",
            "The smell is overpowering and chemical",
            "Pump broke and I could not get the rest out",
        ),
        neg_start=0.16,
        neg_end=0.18,
        neutral_share=0.2,
    ),
)

OPENERS = {
    "positive": (
        "",
        "",
        "Really happy with this. ",
        "Bought this a month ago. ",
        "Honestly impressed. ",
        "Love it! ",
    ),
    "neutral": ("", "", "Mixed feelings. ", "It's alright. ", "Hmm. "),
    "negative": ("", "", "Very disappointed. ", "Do not buy. ", "Sadly, ", "Returned it. "),
}
CLOSERS = {
    "positive": ("", "", " Would buy again.", " Highly recommend.", " Five stars from me.", " Great value."),
    "neutral": ("", "", " Might keep it.", " Not sure I'd buy again.", " It's fine."),
    "negative": ("", "", " Waste of money.", " Avoid.", " Returning it.", " Want my money back."),
}
TITLES = {
    "positive": ("Great buy", "Love it", "Excellent", "Exactly what I needed", "Very good", "Impressed"),
    "neutral": ("Okay", "Average", "Does the job", "Fine", "Mixed"),
    "negative": ("Disappointed", "Poor quality", "Avoid", "Broke quickly", "Not worth it", "Terrible"),
}
# Text and stars that disagree: sarcasm, and reviewers rating the seller rather than the product.
MISMATCHES = (
    ("Oh great, another one that falls apart. Just what I always wanted.", 1),
    ("Absolutely love how it stopped working on day two. Fantastic engineering.", 1),
    ("Wonderful, now I get to buy a replacement every month. Thanks a lot.", 1),
    ("It broke after a week but the seller refunded me quickly, so five stars.", 5),
    ("Terrible product honestly, but delivery was fast.", 4),
    ("Best paperweight I have ever bought.", 1),
)
AUTHORS = (
    "Maria G.", "John D.", "Aisha K.", "Tom", "Priya S.", "Lucas M.", "Chen W.", "Emma",
    "Olivia R.", "Noah B.", "Sofia L.", "James P.", "Fatima Z.", "Kenji T.", "Anna", "Diego F.",
)  # fmt: skip
CONTEXT = (
    "Used it for {n} weeks now",
    "Bought it {n} weeks ago",
    "Ordered {n} days before a trip",
    "Replaced my old one after {n} years",
    "Got it as a gift {n} weeks ago",
)
STARS = {"positive": (4, 5, 5, 5), "neutral": (3, 3, 3, 2, 4), "negative": (1, 1, 2, 2)}


def _sentiment(rng: random.Random, product: Product, progress: float) -> str:
    neg = product.neg_start + (product.neg_end - product.neg_start) * progress
    roll = rng.random()
    if roll < neg:
        return "negative"
    if roll < neg + product.neutral_share:
        return "neutral"
    return "positive"


def _text(rng: random.Random, product: Product, sentiment: str) -> str:
    bank = getattr(product, sentiment)
    n = rng.choice((1, 1, 2, 2, 3))
    sentences = rng.sample(bank, k=min(n, len(bank)))
    # a positive review sometimes mentions one small flaw, as real reviews do
    if sentiment == "positive" and rng.random() < 0.2:
        flaw = rng.choice(product.neutral)
        sentences.append("Only complaint: " + flaw[0].lower() + flaw[1:])
    if rng.random() < 0.35:
        sentences.insert(0, rng.choice(CONTEXT).format(n=rng.randint(2, 11)))
    body = ". ".join(sentences) + "."
    return (rng.choice(OPENERS[sentiment]) + body + rng.choice(CLOSERS[sentiment])).strip()


def generate(n: int = N_REVIEWS, seed: int = SEED) -> list[dict[str, str]]:
    """The demo rows: product, date (ISO), rating (1–5 or blank), title, review, author."""
    rng = random.Random(seed)
    weights = [p.weight for p in PRODUCTS]
    rows = []
    seen: set[tuple[str, str]] = set()
    for _ in range(n):
        product = rng.choices(PRODUCTS, weights=weights)[0]
        day = rng.randrange(DAYS)
        progress = day / (DAYS - 1)
        sentiment = _sentiment(rng, product, progress)
        mismatch = rng.choice(MISMATCHES) if rng.random() < 0.03 else None
        if mismatch is not None and (product.name, mismatch[0]) not in seen:
            text, stars = mismatch
            seen.add((product.name, text))
            title = rng.choice(("Wow", "Really?", "Seriously", "Great..."))
        else:
            # the store skips exact duplicates per product, so every demo text is distinct
            text = _text(rng, product, sentiment)
            while (product.name, text) in seen:
                text = _text(rng, product, sentiment)
            seen.add((product.name, text))
            stars = rng.choice(STARS[sentiment])
            title = rng.choice(TITLES[sentiment])
        rows.append(
            {
                "product": product.name,
                "date": (START + timedelta(days=day)).isoformat(),
                # a few reviewers leave no star rating
                "rating": "" if rng.random() < 0.05 else str(stars),
                "title": title,
                "review": text,
                "author": rng.choice(AUTHORS),
            }
        )
    rows.sort(key=lambda r: (r["date"], r["product"]))
    return rows


def main(out: Path = OUT) -> None:
    """Write the sample CSV (UTF-8, comma-separated, header row)."""
    rows = generate()
    with out.open("w", newline="", encoding="utf-8") as fh:
        writer = csv.DictWriter(fh, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)
    print(f"wrote {len(rows)} demo reviews to {out}")


if __name__ == "__main__":
    main()

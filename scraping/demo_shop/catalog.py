"""The demo shop's products and reviews (written for the demo; any resemblance is accidental)."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class DemoReview:
    """One review of the demo shop."""

    author: str
    date: str  # ISO date
    rating: int  # 1-5 (the lamp's RDFa page uses a 10-point scale: rating * 2)
    title: str
    text: str


KETTLE = [
    DemoReview(
        "Maya R.",
        "2025-01-14",
        5,
        "Boils in no time",
        "Boils a full litre in under three minutes and switches off reliably. The handle stays cool "
        "and the lid opens with one finger. Best kitchen purchase this winter.",
    ),
    DemoReview(
        "Tom B.",
        "2025-02-02",
        2,
        "Plastic taste that won't go away",
        "Even after boiling vinegar twice the water still tastes of plastic. Looks lovely, but I "
        "bought a kettle to make tea, not to admire it.",
    ),
    DemoReview(
        "Lucía F.",
        "2025-02-19",
        4,
        "Quiet and quick",
        "Much quieter than my old one, and the temperature presets are handy for green tea. "
        "The cord is a bit short for my counter, hence four stars.",
    ),
    DemoReview(
        "Ben K.",
        "2025-03-07",
        3,
        "Does the job",
        "It boils water. The limescale filter pops out too easily when you pour, otherwise fine.",
    ),
    DemoReview(
        "Priya S.",
        "2025-03-30",
        1,
        "Oh great, another leak",
        "Oh wonderful, a kettle that waters the counter for me every morning. Leaked from the "
        "base after five weeks; the replacement is doing the same.",
    ),
]

HEADPHONES = [
    DemoReview(
        "Jonas W.",
        "2024-11-03",
        5,
        "Noise cancelling that actually works",
        "On the train the engine hum simply disappears. Thirty hours of battery is no exaggeration, "
        "I charge them once a week.",
    ),
    DemoReview(
        "Chloe D.",
        "2024-11-20",
        2,
        "Pinches after an hour",
        "Sound is rich and the app is decent, but the headband clamps so hard I get a headache "
        "after an hour. Returning them.",
    ),
    DemoReview(
        "Sam O.",
        "2024-12-08",
        4,
        "Great sound, fiddly touch controls",
        "Warm, detailed sound and excellent calls. The touch panel registers a pause whenever I "
        "adjust my hat, which gets old quickly.",
    ),
    DemoReview(
        "Ines M.",
        "2025-01-09",
        3,
        "Fine for the price",
        "Average noise cancelling, comfortable, nothing special. They connect to my laptop and "
        "phone at the same time, which is nice.",
    ),
    DemoReview(
        "Greg P.",
        "2025-01-27",
        1,
        "Love the silence of a dead battery",
        "Absolutely love how they go perfectly silent, mostly because the left cup stopped "
        "charging after a month. Support has not replied in two weeks.",
    ),
    DemoReview(
        "Aiko T.",
        "2025-02-14",
        5,
        "Worth every cent",
        "I fly twice a month and these are the first headphones I can sleep in. Case is compact too.",
    ),
]

BACKPACK = [
    DemoReview(
        "Rafael G.",
        "2024-09-12",
        5,
        "Survived a monsoon",
        "Hiked through a week of rain in the Western Ghats and my laptop stayed bone dry. "
        "The hip belt takes real weight off the shoulders.",
    ),
    DemoReview(
        "Emma L.",
        "2024-10-01",
        4,
        "Roomy, slightly heavy",
        "Fits a 16-inch laptop, a jumper and lunch with room to spare. It is heavier than it looks "
        "when empty.",
    ),
    DemoReview(
        "Noah C.",
        "2024-10-22",
        2,
        "Zip gave up",
        "The main zip split after two months of daily commuting. Fabric is still like new, "
        "which makes it more annoying.",
    ),
    DemoReview(
        "Hana K.",
        "2024-11-15",
        3,
        "Good bag, odd pockets",
        "Sturdy and comfortable, but the side pockets are too shallow for a water bottle and "
        "there is no key clip.",
    ),
]

LAMP = [
    DemoReview(
        "Oliver N.",
        "2025-04-02",
        5,
        "Perfect light for late work",
        "Warm-to-cool dial is smooth and there is no flicker at low brightness. My eyes thank me.",
    ),
    DemoReview(
        "Sofia V.",
        "2025-04-18",
        3,
        "Nice, but wobbly",
        "The light is lovely; the arm sags slowly if you extend it fully. Fine if you keep it upright.",
    ),
    DemoReview(
        "Marek Z.",
        "2025-05-06",
        1,
        "Wow, a disco feature",
        "Did not know I was paying extra for a strobe mode. It flickers whenever the phone "
        "charger in the base is used.",
    ),
]

ESPRESSO = [
    DemoReview(
        "Giulia A.",
        "2024-06-03",
        5,
        "Café-quality at home",
        "Thick crema from the first shot and the steam wand makes proper microfoam. "
        "Heats up in about a minute.",
    ),
    DemoReview(
        "Dan H.",
        "2024-06-19",
        4,
        "Great shots, messy drip tray",
        "Espresso is excellent, but the drip tray is small and overflows if you forget it for a day.",
    ),
    DemoReview(
        "Ana P.",
        "2024-07-08",
        2,
        "Pump is loud",
        "Tastes good, sounds like a jet engine at 6 am. My family is not amused.",
    ),
    DemoReview(
        "Felix J.",
        "2024-07-26",
        5,
        "Replaced my café habit",
        "Paid for itself in two months of not buying flat whites on the way to work.",
    ),
    DemoReview(
        "Laura E.",
        "2024-08-13",
        3,
        "Steep learning curve",
        "You need a good grinder and patience. Once dialled in it is good, but the manual is useless.",
    ),
    DemoReview(
        "Kenji Y.",
        "2024-09-01",
        1,
        "Descaling light of doom",
        "The descaling light came on after a week and will not go off whatever I do. Support "
        "sent me the same useless manual.",
    ),
    DemoReview(
        "Zoe M.",
        "2024-09-17",
        4,
        "Solid build",
        "Metal everywhere it matters, heavy enough not to slide when you lock the portafilter.",
    ),
    DemoReview(
        "Carlos R.",
        "2024-10-05",
        2,
        "Just perfect, if you like lukewarm coffee",
        "Just perfect, if lukewarm coffee is your thing. Shots come out barely warm unless you "
        "run a blank shot first.",
    ),
    DemoReview(
        "Ella W.", "2024-10-30", 5, "Love it", "Simple, fast, beautiful. Latte art is now a weekend hobby."
    ),
    DemoReview(
        "Victor S.",
        "2024-11-12",
        3,
        "OK but pricey",
        "It makes good coffee but at this price I expected a built-in grinder or a timer.",
    ),
]

SOCKS = [
    DemoReview(
        "Ruth A.",
        "2025-01-05",
        5,
        "Warmest socks I own",
        "Wore them on a ski trip and my toes were toasty all day. Washed ten times, no pilling.",
    ),
    DemoReview(
        "Leo F.",
        "2025-01-21",
        2,
        "Shrank in the wash",
        "Followed the label, washed at 30 degrees, and now they fit my nephew.",
    ),
    DemoReview(
        "Mina C.",
        "2025-02-08",
        4,
        "Soft and warm",
        "Lovely wool, a bit itchy at the cuff for the first few wears.",
    ),
    DemoReview(
        "Paul D.",
        "2025-02-25",
        1,
        "Holes, already",
        "A hole in the heel after three weeks. Great value if you enjoy darning.",
    ),
    DemoReview(
        "Nora B.",
        "2025-03-12",
        3,
        "Fine",
        "They are socks. Warm enough, nothing to write home about, yet here I am.",
    ),
]

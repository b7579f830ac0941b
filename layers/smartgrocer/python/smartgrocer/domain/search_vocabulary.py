"""The search vocabulary: the one place that says which everyday words reach which groceries.

Plain data. Every word is written as search compares it: lower case, accents folded, singular
(`search_text.singular`); `tests/unit/test_search_vocabulary.py` checks it is well formed. Products store
what their words reach (search_text.stored_terms), so a change here needs their terms rebuilt: bump
VERSION (the test says so when the data changed without it) and the apply-indexes step of the next deploy
rebuilds them; until then, products match as they did before the change.

- STOPWORDS: words a query ignores ("milk and eggs" searches milk, eggs).
- SINGULAR / SAME_IN_PLURAL: the exceptions to the simple English plural rules of `search_text`.
- EQUIVALENTS: groups of words that name the same thing (spelling variants, British and American
  names). A query word matches any word of its group as if it were that word.
- BROADER: an everyday word -> the narrower words of the things it covers ("bread" is a baguette,
  a bagel, a sourdough loaf...). One way only: "baguette" does not find every bread.
- CATEGORY_WORDS: the words that name each category, besides its own name; a query word among them
  matches the category's products (ranked below products named by the word).
"""

from __future__ import annotations

VERSION = 1  # bump with any change below (tests/unit/test_search_vocabulary.py records each version's data)

STOPWORDS: frozenset[str] = frozenset(
    {"a", "an", "and", "any", "at", "by", "for", "from", "in", "of", "on", "or", "some", "the", "to", "with"}
)

# plural -> singular where the rules of search_text.singular would get it wrong
SINGULAR: dict[str, str] = {
    "loaves": "loaf",
    "halves": "half",
    "leaves": "leaf",
    "knives": "knife",
    "shelves": "shelf",
    "calves": "calf",
    "potatoes": "potato",
    "tomatoes": "tomato",
    "mangoes": "mango",
    "avocadoes": "avocado",
    "cookies": "cookie",
    "brownies": "brownie",
    "pies": "pie",
    "smoothies": "smoothie",
    "veggies": "veggie",
    "quiches": "quiche",
    "brioches": "brioche",
    "mice": "mouse",
    "geese": "goose",
    "children": "child",
    "men": "man",
    "women": "woman",
}

# words ending in "s" that are already singular (or have no singular worth searching for)
SAME_IN_PLURAL: frozenset[str] = frozenset(
    {
        "asparagus",
        "citrus",
        "couscous",
        "hummus",
        "houmous",
        "molasses",
        "swiss",
        "cress",
        "watercress",
        "glass",
        "grass",
        "lemongrass",
        "bass",
        "schnapps",
        "species",
        "series",
        "news",
        "gas",
        "plus",
        "bus",
        "chaos",
        "jus",
        "tapas",
    }
)

# Same thing, other words. Symmetric: every word of a group reaches every other.
EQUIVALENTS: tuple[frozenset[str], ...] = tuple(
    frozenset(group)
    for group in (
        {"yogurt", "yoghurt", "yogourt"},
        {"pitta", "pita"},
        {"crisp", "chip"},
        {"cookie", "biscuit"},
        {"courgette", "zucchini"},
        {"aubergine", "eggplant"},
        {"coriander", "cilantro"},
        {"prawn", "shrimp"},
        {"rocket", "arugula"},
        {"chilli", "chili"},
        {"doughnut", "donut"},
        {"sparkling", "fizzy", "carbonated"},
        {"mince", "minced"},
        {"veg", "veggie", "vegetable"},
        {"hummus", "houmous"},
        {"ketchup", "catsup"},
        {"detergent", "laundry"},
        {"tinned", "canned"},
        {"porridge", "oatmeal"},
    )
)

# An everyday word -> what it covers. One way: the key reaches the words, not the reverse.
BROADER: dict[str, tuple[str, ...]] = {
    "bread": (
        "loaf",
        "baguette",
        "bagel",
        "sourdough",
        "pitta",
        "pita",
        "focaccia",
        "ciabatta",
        "brioche",
        "naan",
        "bloomer",
        "flatbread",
        "tortilla",
        "rye",
    ),
    "vegetable": (
        "carrot",
        "potato",
        "onion",
        "spinach",
        "broccoli",
        "cucumber",
        "tomato",
        "mushroom",
        "garlic",
        "pea",
        "kale",
        "lettuce",
        "pepper",
        "courgette",
        "leek",
        "cabbage",
        "cauliflower",
        "parsnip",
        "sweetcorn",
        "bean",
        "celery",
        "beetroot",
        "asparagus",
        "aubergine",
    ),
    "fruit": (
        "apple",
        "banana",
        "strawberry",
        "blueberry",
        "raspberry",
        "lemon",
        "lime",
        "orange",
        "grape",
        "pear",
        "plum",
        "cherry",
        "mango",
        "kiwi",
        "peach",
        "melon",
        "pineapple",
        "avocado",
        "berry",
    ),
    "berry": ("strawberry", "blueberry", "raspberry", "blackberry", "cranberry", "gooseberry"),
    "cheese": (
        "cheddar",
        "comte",
        "mozzarella",
        "brie",
        "feta",
        "parmesan",
        "gouda",
        "halloumi",
        "stilton",
        "camembert",
        "emmental",
        "gruyere",
        "ricotta",
        "mascarpone",
        "manchego",
        "pecorino",
    ),
    "meat": ("beef", "chicken", "pork", "lamb", "bacon", "sausage", "mince", "turkey", "ham", "steak", "duck"),
    "fish": ("salmon", "cod", "tuna", "mackerel", "haddock", "trout", "sardine", "prawn", "seabass", "plaice"),
    "seafood": ("prawn", "shrimp", "mussel", "crab", "lobster", "squid", "scallop", "salmon", "cod"),
    "pasta": ("spaghetti", "penne", "fusilli", "linguine", "macaroni", "tagliatelle", "lasagne", "noodle", "rigatoni"),
    "rice": ("basmati", "jasmine", "arborio", "risotto"),
    "nut": ("peanut", "almond", "cashew", "hazelnut", "walnut", "pecan", "pistachio", "macadamia"),
    "cereal": ("granola", "oat", "muesli", "cornflake", "porridge"),
    "porridge": ("oat",),
    "breakfast": ("granola", "oat", "muesli", "cereal", "croissant", "bagel"),
    "pastry": ("croissant", "bun", "danish", "brownie"),
    "cake": ("brownie", "bun", "muffin", "cupcake"),
    "dessert": ("ice", "cake", "brownie", "pudding"),
    "candy": ("chocolate", "toffee", "fudge"),
    "snack": ("crisp", "nut", "peanut", "popcorn", "pretzel", "cookie", "brownie", "cracker"),
    "treat": ("chocolate", "brownie", "cookie", "ice"),
    "dairy": ("milk", "cheese", "butter", "yogurt", "cream"),
    "drink": ("juice", "water", "coffee", "tea", "lemonade", "cola"),
    "beverage": ("juice", "water", "coffee", "tea", "lemonade", "cola"),
    "soda": ("cola", "lemonade", "sparkling"),
    "herb": ("basil", "coriander", "parsley", "mint", "rosemary", "thyme", "dill"),
    "salad": ("spinach", "lettuce", "rocket", "cucumber", "tomato"),
    "spread": ("jam", "honey", "butter", "marmalade"),
    "towel": ("roll",),
    "ground": ("mince",),
    "cleaning": ("detergent", "liquid", "bleach", "spray"),
}

# slug -> words that name the category besides the words of its display name (models.products.CATEGORY_NAMES)
CATEGORY_WORDS: dict[str, tuple[str, ...]] = {
    "fruit-veg": ("fruit", "vegetable", "veg", "veggie", "produce", "greengrocer"),
    "dairy-eggs": ("dairy", "egg", "chilled"),
    "bakery": ("bakery", "baked", "baker", "baking"),
    "meat-fish": ("meat", "fish", "butcher", "fishmonger", "seafood", "poultry"),
    "pantry": ("pantry", "cupboard", "larder"),
    "drinks": ("drink", "beverage"),
    "frozen": ("frozen", "freezer"),
    "snacks": ("snack", "treat", "nibble"),
    "household": ("household", "cleaning", "home", "cleaner"),
}

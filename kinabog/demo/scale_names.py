"""Danish-sounding names and places for the scale municipality (see scale.py).

Plain lists, so the generated data only depends on the seed and the order of these lists. The people are
invented; the postal codes are those of the Esbjerg area so addresses look familiar to the user.
"""

from __future__ import annotations

import random
import string
from collections.abc import Sequence


def _names(text: str) -> tuple[str, ...]:
    return tuple(name.strip() for name in text.split(","))


GIRLS = _names(
    "Alma, Ella, Freja, Ida, Clara, Agnes, Karla, Olivia, Emma, Sofia, Nora, Lily, Ellie, Aya, Luna, "
    "Asta, Ingrid, Lea, Josefine, Anna, Mathilde, Laura, Isabella, Liva, Vigga, Gry, Molly, Silje, "
    "Esther, Marie, Caroline, Frida, Saga, Alberte, Filippa, Cecilie, Emilie, Sara, Naja, Tilde"
)
BOYS = _names(
    "William, Noah, Oscar, Lucas, Carl, Aksel, Valdemar, Emil, Alfred, Malthe, Arthur, August, Victor, "
    "Magnus, Felix, Elias, Liam, Oliver, Frederik, Theo, Anton, Johan, Mads, Villads, Storm, Bertram, "
    "Konrad, Otto, Walter, Albert, Marius, Sebastian, Aron, Holger, Ludvig, Mikkel, Hugo, Silas, Tobias, "
    "Viggo"
)
WOMEN = _names(
    "Mette, Anne, Camilla, Louise, Maria, Julie, Katrine, Line, Marianne, Sanne, Tina, Pernille, Stine, "
    "Maja, Rikke, Helle, Lene, Trine, Charlotte, Susanne, Christina, Signe, Nanna, Sofie, Ditte, Malene, "
    "Lærke, Hanne, Birgitte, Karina, Heidi, Dorthe, Jeanette, Majbritt, Mia, Anja, Gitte, Lisbeth, "
    "Vibeke, Amalie"
)
MEN = _names(
    "Jonas, Peter, Lars, Martin, Thomas, Michael, Søren, Jesper, Anders, Rasmus, Kasper, Christian, "
    "Morten, Henrik, Jacob, Mads, Simon, Nikolaj, Jens, Brian, Kim, Allan, Kenneth, Mikkel, Jan, "
    "Steffen, Torben, Bo, Ole, Per, Frank, Claus, René, Jimmi, Daniel, Kristian, Troels, Esben, Jakob, "
    "Dennis"
)
SURNAMES = _names(
    "Nielsen, Jensen, Hansen, Pedersen, Andersen, Christensen, Larsen, Sørensen, Rasmussen, Jørgensen, "
    "Petersen, Madsen, Kristensen, Olsen, Thomsen, Christiansen, Poulsen, Johansen, Møller, Mortensen, "
    "Knudsen, Jakobsen, Mikkelsen, Frederiksen, Lund, Holm, Schmidt, Eriksen, Kristiansen, Simonsen, "
    "Clausen, Svendsen, Andreasen, Iversen, Jeppesen, Vestergaard, Mogensen, Nørgaard, Jessen, "
    "Lauridsen, Bak, Dam, Kjær, Bruun, Skov, Toft, Lauritsen, Krogh, Østergaard, Graversen, Ahmed, Ali, "
    "Yilmaz, Hussein, Nowak"
)
STREETS = _names(
    "Kirkegade, Skolegade, Strandbygade, Torvegade, Havnegade, Kongensgade, Englandsgade, Stormgade, "
    "Rolfsgade, Jyllandsgade, Finsensgade, Nygårdsvej, Spangsbjerg Kirkevej, Gl. Vardevej, Hjertingvej, "
    "Sædding Strandvej, Fyrvej, Klitvej, Marskvej, Engvej, Rosenvænget, Bøgevej, Egevej, Lindevej, "
    "Birkevej, Ahornvej, Granvej, Kastanjevej, Vibevej, Lærkevej, Mågevej, Ternevej, Skrænten, "
    "Bakkedraget, Solsikkevej, Valmuevej, Digevej, Vadehavsvej, Møllevej, Præstegårdsvej"
)
POSTAL_DISTRICTS = (
    ("6700", "Esbjerg"),
    ("6705", "Esbjerg Ø"),
    ("6710", "Esbjerg V"),
    ("6715", "Esbjerg N"),
    ("6731", "Tjæreborg"),
    ("6740", "Bramming"),
    ("6760", "Ribe"),
    ("6771", "Gredstedbro"),
)
AREAS = ("Nord", "Syd", "Øst", "Vest", "Centrum", "Strand", "Land")

# Institution and group names: a word that is combined with a prefix ("Børnehuset Solsikken").
DAYCARE_PREFIXES = ("Børnehuset", "Børnehuset", "Daginstitution", "Børnegården", "Naturbørnehuset")
DAYCARE_WORDS = _names(
    "Solsikken, Mælkebøtten, Regnbuen, Søstjernen, Skattekisten, Troldehøj, Kastanjen, Mågen, Ankeret, "
    "Klitten, Tangloppen, Rødspætten, Muslingen, Valmuen, Kornblomsten, Lærkereden, Spurvehøj, Uglereden, "
    "Hasselmusen, Pindsvinet, Egetræet, Bøgely, Pilehuset, Hylden, Rønnebærret, Tusindfryd, Humlebien, "
    "Sommerfuglen, Vibereden, Strandkrabben, Kløverbladet, Abildgården, Hvepsereden, Myretuen, Græshoppen, "
    "Mariehøjen, Skovsneglen, Nøddebo, Fuglereden, Krudtuglen, Bikuben, Grævlingen, Rævegraven, "
    "Hjertebo, Solstrålen, Stjernedrys, Lyngtoppen, Enghaven, Birkely, Elmelunden, Ahornhuset, "
    "Kirsebærhaven, Æblehaven, Pærehaven, Hyldebærret, Tjørnen, Gyvelhuset, Klitgården, Havtornen, "
    "Marehalmen, Strandengen, Vadefuglen, Ternen, Strandskaden, Ålekvabben"
)
FAMILY_DAYCARE_WORDS = ("Vesterhavet", "Marsken", "Engen", "Heden", "Fjorden", "Vadehavet", "Skoven", "Åen")
SCHOOL_WORDS = _names(
    "Havbakke, Lyngbakke, Engdal, Skovlund, Søndermark, Nørremark, Vestervang, Østervang, Klintebjerg, "
    "Bøgely, Egely, Lindevang, Kirkebakke, Mølleholm, Fyrbakke, Klitrose, Marskhøj, Vadehav, Granly, "
    "Solbjerg, Ravnsbjerg, Tangbjerg, Sandager, Hedelund"
)
SCHOOL_SUFFIXES = ("skolen", " Skole")
NURSERY_ROOMS = _names(
    "Mariehønen, Frøerne, Bierne, Sneglene, Kyllingerne, Ællingerne, Myrerne, Lammene, Grisungerne, Kaninerne"
)
KINDERGARTEN_ROOMS = _names(
    "Blå stue, Grøn stue, Gul stue, Rød stue, Lilla stue, Orange stue, Egernene, Rævene, Uglerne, "
    "Sommerfuglene, Delfinerne, Søløverne"
)
PLAYGROUPS = _names(
    "Sandslottet, Bølgen, Klitrosen, Strandskallen, Tangen, Ravet, Vindmøllen, Kutteren, Ålegræsset, "
    "Søpapegøjen, Strandtudsen, Fyrskibet, Skibsklokken, Redningsbåden, Sælen, Tumlingen, "
    "Hjertemuslingen, Ebbe og Flod, Sandormen, Klyden"
)


def distinct_names(count: int, prefixes: Sequence[str], words: Sequence[str], rng: random.Random) -> list[str]:
    """`count` names "<prefix> <word>", one per word in a seeded order, numbered once the words run out."""
    shuffled = list(words)
    rng.shuffle(shuffled)
    return [f"{rng.choice(prefixes)} {numbered(shuffled, i)}" for i in range(count)]


def school_names(count: int, rng: random.Random) -> list[str]:
    combos = [f"{word}{suffix}" for word in SCHOOL_WORDS for suffix in SCHOOL_SUFFIXES]
    rng.shuffle(combos)
    seen: set[str] = set()
    names: list[str] = []
    # One school per word: "Lyngbakkeskolen" and "Lyngbakke Skole" side by side would confuse.
    for name in combos:
        word = name.removesuffix("skolen").removesuffix(" Skole")
        if word not in seen:
            seen.add(word)
            names.append(name)
    return [names[i % len(names)] + (f" {i // len(names) + 1}" if i >= len(names) else "") for i in range(count)]


def numbered(names: Sequence[str], index: int) -> str:
    """The index-th name of a list, numbered once the list runs out ("Blå stue 2")."""
    name = names[index % len(names)]
    return name if index < len(names) else f"{name} {index // len(names) + 1}"


def class_letter(index: int) -> str:
    """A, B, C, … for the classes of one grade (and a number should a grade ever pass Z)."""
    return string.ascii_uppercase[index] if index < len(string.ascii_uppercase) else str(index + 1)

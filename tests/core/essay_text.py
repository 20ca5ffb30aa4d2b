"""Varied, essay-like text for the similarity tests and benchmarks: A-level History argument
(Tsarist Russia, 1855–1917) built from clauses with many slots (who, how, did what, to what,
where, when, with what figure), so two generated essays share the stock phrases a class would
share ("It could be argued that", "On the other hand") and, like two real essays on one
question, almost no run of eight words."""

from __future__ import annotations

import random

QUESTION = ("‘The loyalty of the army was the main reason why the Tsarist regime survived "
            "the 1905 revolution.’ Assess the validity of this view.")

GROUPS = ["army", "peasantry", "urban workers", "intelligentsia", "nobility", "Church",
          "Okhrana", "Kadets", "Octobrists", "Social Revolutionaries", "Bolsheviks",
          "Mensheviks", "zemstva", "Cossack regiments", "Soviet", "railway unions",
          "national minorities", "Black Hundreds", "Guards regiments", "provincial governors",
          "sailors", "factory inspectors", "landowners", "students", "merchants", "officers",
          "bureaucracy", "police", "clergy", "printers", "textile workers", "reservists"]
PEOPLE = ["Nicholas II", "Witte", "Stolypin", "Plehve", "Trepov", "Gapon", "Milyukov",
          "Guchkov", "Lenin", "Trotsky", "Martov", "Durnovo", "Goremykin", "Pobedonostsev"]
GROUP_MODIFIERS = ["", "", "", "", "conservative", "radical", "loyal", "restless", "moderate",
                   "provincial", "urban", "rural", "younger", "exhausted", "frightened",
                   "disillusioned", "organised", "divided", "Polish", "Georgian", "Latvian"]
INTENSIFIERS = ["deeply", "bitterly", "newly", "still", "once", "increasingly", "openly",
                "largely", "visibly", "badly", "quite", "rather", "far more", "somewhat"]
TOWNS = ["Moscow", "Petersburg", "Odessa", "Riga", "Warsaw", "Kiev", "Kharkov", "Baku",
         "Tiflis", "Ekaterinoslav", "Ivanovo", "Saratov", "Kazan", "Nizhny Novgorod", "Lodz",
         "Vilna", "Minsk", "Rostov", "Samara", "Tula", "Kronstadt", "Sevastopol", "Yaroslavl"]
QUANTIFIERS = ["", "", "", "", "most of", "many of", "some of", "few of", "parts of",
               "sections of", "the majority of", "a minority of", "nearly all of"]
#: (base form, past form)
VERBS = [(v, v + "d" if v.endswith("e") else v + "ed") for v in [
    "undermine", "strengthen", "weaken", "sustain", "challenge", "protect", "divide", "expose",
    "reinforce", "threaten", "placate", "alienate", "restrain", "mobilise", "rescue",
    "frustrate", "defend", "oppose", "support", "tolerate", "damage", "revive", "destabilise",
    "shield", "question", "accept", "resist", "discredit", "reassure", "provoke"]]
#: "" and "had" take the past form, the others the base form
AUXILIARIES = ["", "", "", "", "", "had", "began to", "continued to", "helped to", "failed to",
               "tried to", "seemed to", "would", "could not", "refused to", "did not"]
ADVERBS = ["", "", "", "", "", "gradually", "deliberately", "briefly", "openly", "quietly",
           "fatally", "increasingly", "partly", "largely", "clearly", "arguably", "ultimately",
           "rapidly", "seriously", "decisively", "reluctantly", "unexpectedly", "consistently"]
THINGS = ["autocracy", "regime", "authority of the Tsar", "revolutionary movement",
          "liberal opposition", "government", "imperial state", "demand for reform",
          "unity of the opposition", "public order", "credibility of the Duma", "commune",
          "countryside", "capital", "provinces", "Fundamental Laws", "strike movement",
          "land question", "war effort", "budget", "press", "universities", "railways",
          "grain trade", "peasant banks", "local courts", "censorship", "officer corps"]
THING_MODIFIERS = ["", "", "", "", "fragile", "weakened", "reformed", "old", "new", "whole",
                   "shaken", "divided", "rural", "urban", "imperial", "local", "central",
                   "restored", "discredited", "exhausted", "growing", "fading"]
EVENTS = ["Bloody Sunday", "the October Manifesto", "the general strike", "the Moscow rising",
          "the Potemkin mutiny", "the Treaty of Portsmouth", "Tsushima", "the fall of Port Arthur",
          "the Vyborg Appeal", "the first Duma", "the second Duma", "the land reforms",
          "the peasant risings", "the Lena goldfields", "emancipation", "Plehve's murder",
          "the soviets", "the famine of 1891", "the Kishinev pogrom", "the coup of June 1907"]
YEARS = [str(y) for y in range(1855, 1918)]
MONTHS = ["January", "February", "March", "April", "May", "June", "July", "August",
          "September", "October", "November", "December"]
HISTORIANS = ["Figes", "Pipes", "Fitzpatrick", "Seton-Watson", "Hosking", "Kochan", "Ascher",
              "Service", "Lieven", "Read", "Acton", "Waldron", "Rogger", "Westwood", "Verner"]
PLACES = ["in the cities", "in the countryside", "in Moscow", "in St Petersburg", "in Poland",
          "in the Baltic", "along the railways", "in the Caucasus", "at the front", "in Odessa",
          "in the Duma", "at court", "across the empire", "in the factories", "in Finland",
          "on the Volga", "in Siberia", "in Kiev", "in Riga", "in the Urals", "in Tiflis"]
FIGURES = ["{n} strikes", "{n} arrests", "{n} deaths", "{n} executions", "{n} estates burned",
           "{n} deputies", "{n} million roubles", "{n} per cent of the vote", "{n} troops",
           "{n} newspapers closed", "{n} villages", "{n} mutinies"]
OPENERS = ["", "", "", "", "However,", "In contrast,", "Moreover,", "Crucially,",
           "Nevertheless,", "Admittedly,", "Furthermore,", "Consequently,",
           "It could be argued that", "On the other hand,", "In {month} {year},", "By {year},",
           "After {event},", "During {event},", "According to {historian},",
           "As {historian} suggests,", "Before {event},", "In the wake of {event},",
           "Some historians claim that", "Clearly,", "To a large extent,", "In many ways,",
           "Above all,", "Even so,", "With {figure},", "Despite {figure},"]
CONNECTORS = ["because", "although", "while", "since", "whereas", "even though", "and",
              "but", "until", "so", "as", "once", "before", "after", "unless", "whenever"]
TAILS = ["", "", "", "", "{qualifier}", "{place}", "during {event}", "by {year}",
         "after {event}", "{place} {qualifier}", "as {historian} argues", "in {month} {year}",
         "with {figure}", "despite {figure}", "{place} in {year}"]
QUALIFIERS = ["to some extent", "in the short term", "for a time", "above all", "in the end",
              "only partly", "at least briefly", "more than before", "at first", "for good",
              "for several months", "almost at once", "within weeks", "for a generation"]


def _cap(text: str) -> str:
    return text[:1].upper() + text[1:]


def _join(*words: str) -> str:
    return " ".join(w for w in words if w)


def _fill(rng: random.Random, template: str) -> str:
    figure = rng.choice(FIGURES).format(n=rng.randint(2, 9999))
    return template.format(year=rng.choice(YEARS), event=rng.choice(EVENTS),
                           historian=rng.choice(HISTORIANS), qualifier=rng.choice(QUALIFIERS),
                           place=rng.choice(PLACES), month=rng.choice(MONTHS), figure=figure)


def _modifier(rng: random.Random, choices: list[str]) -> str:
    word = rng.choice(choices)
    return _join(rng.choice(INTENSIFIERS), word) if word and rng.random() < 0.4 else word


def _subject(rng: random.Random) -> str:
    if rng.random() < 0.25:
        return rng.choice(PEOPLE)
    group = _join(rng.choice(QUANTIFIERS), "the", _modifier(rng, GROUP_MODIFIERS),
                  rng.choice(GROUPS))
    return f"{group} of {rng.choice(TOWNS)}" if rng.random() < 0.25 else group


def _object(rng: random.Random) -> str:
    thing = _join("the", _modifier(rng, THING_MODIFIERS), rng.choice(THINGS))
    return f"{thing} {rng.choice(PLACES)}" if rng.random() < 0.2 else thing


def _clause(rng: random.Random) -> str:
    subject = _subject(rng)
    if rng.random() < 0.2:
        subject = f"{subject} and {_subject(rng)}"
    auxiliary = rng.choice(AUXILIARIES)
    base, past = rng.choice(VERBS)
    return _join(subject, rng.choice(ADVERBS), auxiliary, past if auxiliary in ("", "had") else base,
                 _object(rng), _fill(rng, rng.choice(TAILS)))


def sentence(rng: random.Random) -> str:
    parts = [_fill(rng, rng.choice(OPENERS)), _clause(rng)]
    if rng.random() < 0.6:
        parts[-1] += "," if rng.random() < 0.5 else ""
        parts += [rng.choice(CONNECTORS), _clause(rng)]
    return _cap(_join(*parts)) + "."


def paragraph(rng: random.Random, words: int) -> str:
    out: list[str] = []
    count = 0
    while count < words:
        s = sentence(rng)
        out.append(s)
        count += len(s.split())
    return " ".join(out)


def essay(seed: int, words: int = 800, paragraph_words: int = 150) -> list[str]:
    """An essay as a list of paragraphs of about ``words`` words in all."""
    rng = random.Random(seed)
    paragraphs = []
    total = 0
    while total < words:
        p = paragraph(rng, min(paragraph_words, words - total))
        paragraphs.append(p)
        total += len(p.split())
    return paragraphs

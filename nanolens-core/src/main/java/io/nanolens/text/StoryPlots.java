package io.nanolens.text;

import io.nanolens.text.TinyWorldLexicon.Noun;

import java.util.ArrayList;
import java.util.List;

/**
 * The seven TinyWorld plots (a lost thing, a new friend, collecting and counting, a trip, a night storm, a race, a
 * painting), written as sentence templates for {@link StoryWriter}. Every plot names characters, animals, colours,
 * numbers, places and feelings, has dialogue and at least one negation, and tells it in the simple past. Templates
 * only use a word from a concept list in that concept's sense (no "one day", no "lost" as an adjective), so that
 * labelling by word list is exact.
 */
final class StoryPlots {
    static final int COUNT = 7;

    private StoryPlots() {
    }

    static void write(int plot, StoryWriter w, TinyWorldLexicon lex) {
        if (w.chance(0.7)) {
            w.castChild("A");
        } else {
            w.castAnimal("A");
        }
        w.set("C", w.pick(lex.colours));
        Noun thing = w.pick(lex.objects);
        w.set("O", thing.singular());
        w.set("O.pl", thing.plural());
        w.setPlace("L", w.pick(lex.outdoorPlaces));
        w.setPlace("L2", w.pick(lex.places));
        intro(w);
        switch (plot) {
            case 0 -> lostThing(w);
            case 1 -> newFriend(w);
            case 2 -> collecting(w, lex, thing);
            case 3 -> trip(w);
            case 4 -> storm(w, lex);
            case 5 -> race(w);
            case 6 -> painting(w, lex);
            default -> throw new IllegalStateException("no plot " + plot);
        }
    }

    private static void intro(StoryWriter w) {
        switch (w.between(0, 3)) {
            case 0 -> w.say("Once upon a time, there was a [little |young |small |]{A.kind}. {A.his} name was {A}.");
            case 1 -> w.say("{A} was a {A.age}-year-old {A.kind} who lived [near|by] the {outdoor}.");
            case 2 -> w.say("[Long ago|Once upon a time], in a [small|quiet|sunny] village, there lived a {A.kind}. "
                    + "{A.his} name was {A}, and {A.he} was {A.age} years old.");
            default -> w.say("{A} was a [kind|clever|funny|little|brave|small] {A.kind}.");
        }
        if (w.chance(0.5)) {
            w.say("{A.his} favourite colour was {C}[, and {A.he} had a {C} {object}|].");
        }
    }

    private static void lostThing(StoryWriter w) {
        w.castAnimal("H");
        w.say("{A} had a {C} {O}, and {A.he} [loved|liked] it more than anything.");
        w.say("[Early in the morning|On a sunny morning|After breakfast|That afternoon], {A} took the {O} to the {L}.");
        w.say("{A.he} played with it for {num} minutes[ and felt very {joy}| with {num} {animals}|].");
        w.say("[But then|Suddenly|Later], the {O} was gone!");
        w.say("{A} looked [everywhere|under every bush|behind every tree|in the tall grass], but {A.he} "
                + "[could not find it|did not see it anywhere|found nothing].");
        w.say("\"Oh no, where is my {O}?\" [cried|asked|said] {A}. {A.he} felt {woe}.");
        w.paragraph();
        w.say("Just then, a {colour} {H.kind} {move} over. {H.his} name was {H}.");
        w.say("\"Why are you so {woe}?\" asked the {H.kind}.");
        w.say("\"I can't find my {C} {O},\" said {A}.");
        w.say("\"I saw something {C} [near|by] the {L2},\" said {H}. \"Follow me!\"");
        w.say("They {move} to the {L2} together.");
        w.say("The {O} was not [under the bench|behind the rocks|in the water|on the path].");
        w.say("[At last|Finally|After a while], {A} found it [next to {num} sleeping {animals}|under a pile of "
                + "{colour} leaves|behind a big box].");
        w.say("{A} was so {joy} that {A.he} [hugged|thanked] the {H.kind}. \"Thank you, {H}!\" {A.he} said.");
        w.say("[From that day on|After that], {A} never [lost|forgot] {A.his} {O} again.");
    }

    private static void newFriend(StoryWriter w) {
        w.castAnimal("F");
        w.say("[Every day|Each morning|Most days], {A} {move} to the {L} to play.");
        w.say("On a [windy|rainy|bright|cold|warm] [morning|afternoon|day], {A} saw a {colour} {F.kind} "
                + "[sitting|hiding] [behind a rock|under a tree|by the water].");
        w.say("The {F.kind} looked {woe}[ and did not move| and nobody played with {F.him}|].");
        w.say("\"Hello! My name is {A}. What is your name?\" asked {A}.");
        w.say("\"I am {F},\" said the {F.kind} [quietly|softly|in a small voice]. \"I have no friends.\"");
        w.say("\"I can be your friend!\" said {A} with a [big |happy |]smile.");
        w.say("{F} was not {woe} anymore. {F.he} felt {joy}.");
        w.paragraph();
        w.say("They played [hide and seek|tag|catch] [all afternoon|until the sun went down|for hours].");
        w.say("Together they [counted|collected|found] {num} {colour} {objects} "
                + "[by the river|in the grass|under the trees].");
        if (w.chance(0.5)) {
            w.say("{F} showed {A} how to [jump|swim|climb|dig] like a {F.kind}, and {A} [laughed|giggled].");
        }
        w.say("When it was time to go home, {A} [waved|smiled] and said, \"See you tomorrow, {F}!\"");
        w.say("{A} never forgot [that day|{A.his} new friend|the {colour} {F.kind}].");
    }

    private static void collecting(StoryWriter w, TinyWorldLexicon lex, Noun thing) {
        w.castChild("B");
        int n1 = w.between(1, 10);
        int n2 = w.between(1, 20 - n1);
        w.set("N1", w.count(n1, w.pick(lex.colours), thing));
        w.set("N2", w.count(n2, w.pick(lex.colours), thing));
        w.set("n1", w.number(n1));
        w.set("n2", w.number(n2));
        w.set("SUM", w.count(n1 + n2, "", thing));
        w.say("{A.his} best friend was {B}[, a {B.age}-year-old {B.kind}|].");
        w.say("On a [bright|cool|sunny|quiet] morning, {A} and {B} went to the {L} with a {colour} basket.");
        w.say("\"Let's [collect|look for] {O.pl}!\" said {B}.");
        w.say("{A} found {N1}. {B} found {N2}.");
        w.say("\"I have {n1}!\" said {A}. \"And I have {n2}!\" said {B}.");
        w.say("[Together|In all], they had {SUM}.");
        if (n1 > n2) {
            w.say("{A} had more than {B}, but {B} was not {woe}.");
        } else if (n1 < n2) {
            w.say("{B} had more than {A}, but {A} did not mind.");
        } else {
            w.say("They had the same number, and nobody was {woe}.");
        }
        w.paragraph();
        w.say("Then a {colour} {animal} [came by|walked past] and looked at the basket.");
        w.say("\"Can I have [some|a few]?\" it asked in a [tiny|small|soft] voice.");
        w.say("{A} and {B} [looked at each other|smiled]. \"Yes, you can,\" said {A}.");
        w.say("The {animal} was so {joy} that it [danced|jumped|sang] all the way home.");
        w.say("{A} and {B} went home [feeling|and felt] {joy} and sleepy.");
    }

    private static void trip(StoryWriter w) {
        w.say("On a [warm summer|cold winter|bright spring|windy autumn] day, {A} and {A.his} [mother|father|"
                + "grandmother|grandfather|aunt|uncle] went on a trip to the {L}.");
        w.say("{A} was very {joy}. {A.he} had never been to the {L} before.");
        w.say("[At|Near] the {L}, they saw {num} {animals}[ and {num} {animals}|].");
        w.say("\"Look, a {colour} {animal}!\" [shouted|cried|said] {A}.");
        w.say("[There was|They saw] a {colour} {animal} [too|by the path|under a tree], and it was not {woe} at all.");
        w.paragraph();
        w.say("[Then|Later] it [started to rain|got very windy|got dark], but {A} was not {woe}.");
        w.say("They ate [sandwiches and apples|cake and pears|bananas and cookies] "
                + "[under a tree|by the water|on a blanket].");
        w.say("\"I don't want to go home!\" said {A}.");
        w.say("[But when|When] the sun went down, they [walked|drove|rode] back home.");
        w.say("That night, {A} dreamed about the {animals} [at|near] the {L}.");
        w.say("It was the best day [ever|of the year].");
    }

    private static void storm(StoryWriter w, TinyWorldLexicon lex) {
        w.castPet("P");
        int counted = w.between(3, 10);
        StringBuilder counting = new StringBuilder();
        for (int n = 1; n <= counted; n++) {
            counting.append(n == 1 ? "" : ", ").append(lex.numberWords[n]);
        }
        w.set("COUNTING", counting.toString());
        w.say("{A} had a pet {P.kind}. {P.his} name was {P}, and {P.he} had a {colour} collar.");
        w.say("Late in the evening, a big storm came to the {L}.");
        w.say("The wind [howled|blew] and the rain [fell|poured] on the roof.");
        w.say("{A} was {woe}. {A.he} hid under {A.his} {colour} blanket.");
        w.say("\"I don't like [thunder|storms|the dark],\" [whispered|said] {A}.");
        w.say("{P} [jumped|climbed|crept] onto the bed and sat next to {A.him}.");
        w.say("\"Do not be {woe},\" {P} seemed to say.");
        w.paragraph();
        w.say("{A} counted [the flashes|the seconds|the raindrops]: \"{COUNTING}.\"");
        w.say("Soon the storm [was over|moved away|stopped].");
        w.say("{A} was not {woe} anymore. {A.he} felt {joy}.");
        w.say("\"Thank you, {P},\" said {A}, and they both fell asleep.");
        if (w.chance(0.5)) {
            w.say("In the morning, there was a rainbow over the {L}: "
                    + "red, orange, yellow, green, blue, indigo and violet.");
        }
    }

    private static void race(StoryWriter w) {
        w.castAnimal("B");
        w.say("[At|Near] the {L} there was a big race for [all the animals|everyone].");
        w.say("{A} wore a {C} [hat|scarf|ribbon], and {B} the {B.kind} wore a {colour} [cap|bow|badge].");
        w.say("There were {num} [runners|racers] in the race.");
        w.say("\"Ready, steady, go!\" shouted a {colour} {animal}.");
        w.say("{A} {move} as fast as {A.he} could. {B} was right behind {A.him}.");
        w.say("Suddenly, {B} [fell|tripped|slipped] [in the mud|over a stone|on the wet grass].");
        w.paragraph();
        w.say("{A} [stopped|turned back] and helped {B} up.");
        w.say("\"Are you [okay|hurt]?\" asked {A}.");
        w.say("\"I am not hurt,\" said {B}, \"but I am {woe}.\"");
        w.say("\"Let's finish together!\" said {A}.");
        w.say("They did not win, but they [crossed|reached] the finish line [hand in hand|together].");
        w.say("Everyone [clapped|cheered] for them, and {A} and {B} felt {joy}.");
        w.say("It did not matter who won.");
    }

    private static void painting(StoryWriter w, TinyWorldLexicon lex) {
        w.castChild("B");
        List<String> paints = new ArrayList<>(List.of(w.get("C")));
        while (paints.size() < 4) {
            String c = w.pick(lex.colours);
            if (!paints.contains(c)) {
                paints.add(c);
            }
        }
        w.set("c1", paints.get(1));
        w.set("c2", paints.get(2));
        w.set("c3", paints.get(3));
        w.say("{A} [loved|liked] to paint.");
        w.say("On a rainy day {A.he} sat [in the {L2}|at the table in the kitchen] "
                + "with {A.his} paints: {c1}, {c2}, {c3} and {C}.");
        w.say("{A.he} painted a {c1} {animal} [next to|under] a {c2} tree.");
        w.say("Then {A.he} painted {num} {c3} {animals} [in the sky|on a hill|in the {outdoor}].");
        w.say("{A.his} friend {B} came in. \"That is silly!\" laughed {B}. "
                + "\"Those animals are not {c3}!\"");
        w.say("\"In my picture, they are,\" said {A}. {A.he} was [a little|very] {woe}.");
        w.paragraph();
        w.say("{B} did not laugh anymore. \"I am sorry,\" {B.he} said. \"Can I paint too?\"");
        w.say("They painted [all afternoon|until dinner|for hours]: a {colour} {animal}, {num} {colour} {objects} "
                + "and a big {C} sun.");
        w.say("Nothing in the picture was the right colour, and that was the best part.");
        w.say("{A} and {B} felt {joy}, and they hung the picture [in the kitchen|on the wall|by the door].");
    }
}

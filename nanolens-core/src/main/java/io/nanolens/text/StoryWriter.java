package io.nanolens.text;

import io.nanolens.text.TinyWorldLexicon.Noun;
import io.nanolens.text.TinyWorldLexicon.Person;
import io.nanolens.text.TinyWorldLexicon.Place;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;

/**
 * Writes one TinyWorld story from sentence templates. A template is plain text with {@code {slot}} for a value
 * and {@code [a|b|c]} for a random choice (choices may nest and hold slots). Slots name either a story variable set
 * with {@link #set} or cast with {@link #castChild}/{@link #castPet}/{@link #castAnimal} ({@code {A}},
 * {@code {A.he}}, {@code {A.his}}, {@code {A.him}}, {@code {A.kind}}, {@code {A.age}}), or a fresh random word:
 * {@code colour, animal, animals, place, outdoor, joy, woe, object, objects, move, num}. The writer turns "a" into
 * "an" before a vowel sound and capitalises the first letter of every sentence and of every quotation.
 */
final class StoryWriter {
    private final TinyWorldLexicon lex;
    private final SplittableRandom rng;
    private final Map<String, String> vars = new HashMap<>();
    private final Set<String> usedNames = new HashSet<>();
    private final StringBuilder out = new StringBuilder(1024);
    private boolean capitalizeNext = true;

    StoryWriter(TinyWorldLexicon lex, SplittableRandom rng) {
        this.lex = lex;
        this.rng = rng;
    }

    String text() {
        return out.toString();
    }

    void set(String key, String value) {
        vars.put(key, value);
    }

    String get(String key) {
        String value = vars.get(key);
        if (value == null) {
            throw new IllegalStateException("story variable {" + key + "} was never set");
        }
        return value;
    }

    /** Appends one sentence (or a few, or a line of dialogue) expanded from {@code template}. */
    void say(String template) {
        if (!out.isEmpty() && out.charAt(out.length() - 1) != '\n') {
            out.append(' ');
        }
        capitalizeNext = true;
        String sentence = fixArticles(expand(template));
        boolean inQuote = false;
        for (int i = 0; i < sentence.length(); i++) {
            char c = sentence.charAt(i);
            if (capitalizeNext && c >= 'a' && c <= 'z') {
                c = (char) (c - 'a' + 'A');
            }
            out.append(c);
            if (c == '"') {
                inQuote = !inQuote;
                capitalizeNext = inQuote;
            } else if (c == '.' || c == '!' || c == '?') {
                capitalizeNext = true;
            } else if (TinyWorldLexicon.isWordChar(c)) {
                capitalizeNext = false;
            }
        }
    }

    void paragraph() {
        out.append("\n\n");
    }

    int between(int lo, int hi) {
        return rng.nextInt(lo, hi + 1);
    }

    boolean chance(double p) {
        return rng.nextDouble() < p;
    }

    <T> T pick(List<T> items) {
        return items.get(rng.nextInt(items.size()));
    }

    /** {@code n} (1..20) as digits or as a word. */
    String number(int n) {
        return chance(0.35) ? Integer.toString(n) : lex.numberWords[n];
    }

    /** "one ball", "3 red apples": {@code n} things with an optional adjective. */
    String count(int n, String adjective, Noun noun) {
        String words = adjective.isEmpty() ? "" : adjective + " ";
        return number(n) + " " + words + (n == 1 ? noun.singular() : noun.plural());
    }

    void castChild(String key) {
        Person child = pickPerson(lex.children);
        cast(key, child, child.female() ? "girl" : "boy");
    }

    void castPet(String key) {
        cast(key, pickPerson(lex.pets), pick(lex.animals).singular());
    }

    /** An animal character with a child's or a pet's name. */
    void castAnimal(String key) {
        cast(key, pickPerson(chance(0.5) ? lex.pets : lex.children), pick(lex.animals).singular());
    }

    void setPlace(String key, Place place) {
        set(key, place.word());
        set(key + ".at", place.preposition() + " the " + place.word());
    }

    private void cast(String key, Person person, String kind) {
        set(key, person.name());
        set(key + ".kind", kind);
        set(key + ".he", person.female() ? "she" : "he");
        set(key + ".his", person.female() ? "her" : "his");
        set(key + ".him", person.female() ? "her" : "him");
        set(key + ".age", number(between(3, 12)));
    }

    private Person pickPerson(List<Person> people) {
        Person p = pick(people);
        while (!usedNames.add(p.name())) {
            p = pick(people);
        }
        return p;
    }

    private String expand(String t) {
        StringBuilder sb = new StringBuilder(t.length() + 32);
        int i = 0;
        while (i < t.length()) {
            char c = t.charAt(i);
            if (c == '{') {
                int end = t.indexOf('}', i);
                sb.append(slot(t.substring(i + 1, end)));
                i = end + 1;
            } else if (c == '[') {
                int end = closing(t, i);
                sb.append(expand(choose(t, i + 1, end)));
                i = end + 1;
            } else {
                sb.append(c);
                i++;
            }
        }
        return sb.toString();
    }

    private static int closing(String t, int open) {
        int depth = 0;
        for (int i = open; i < t.length(); i++) {
            char c = t.charAt(i);
            if (c == '[') {
                depth++;
            } else if (c == ']' && --depth == 0) {
                return i;
            }
        }
        throw new IllegalStateException("unclosed [ in template: " + t);
    }

    /** Picks one of the top-level '|'-separated choices in t[from, to). */
    private String choose(String t, int from, int to) {
        List<Integer> cuts = new ArrayList<>();
        cuts.add(from - 1);
        int depth = 0;
        for (int i = from; i < to; i++) {
            char c = t.charAt(i);
            if (c == '[') {
                depth++;
            } else if (c == ']') {
                depth--;
            } else if (c == '|' && depth == 0) {
                cuts.add(i);
            }
        }
        cuts.add(to);
        int k = rng.nextInt(cuts.size() - 1);
        return t.substring(cuts.get(k) + 1, cuts.get(k + 1));
    }

    private String slot(String key) {
        String value = vars.get(key);
        if (value != null) {
            return value;
        }
        return switch (key) {
            case "colour" -> pick(lex.colours);
            case "animal" -> pick(lex.animals).singular();
            case "animals" -> pick(lex.animals).plural();
            case "place" -> pick(lex.places).word();
            case "outdoor" -> pick(lex.outdoorPlaces).word();
            case "joy" -> pick(lex.joys);
            case "woe" -> pick(lex.woes);
            case "object" -> pick(lex.objects).singular();
            case "objects" -> pick(lex.objects).plural();
            case "move" -> pick(lex.moves);
            case "num" -> number(between(2, 20));
            default -> throw new IllegalStateException("unknown template slot {" + key + "}");
        };
    }

    /** "a apple" → "an apple", "a 8-year-old" → "an 8-year-old". */
    static String fixArticles(String s) {
        StringBuilder sb = null;
        for (int i = 0; i + 2 < s.length(); i++) {
            char a = s.charAt(i);
            boolean article = (a == 'a' || a == 'A') && s.charAt(i + 1) == ' '
                    && (i == 0 || !TinyWorldLexicon.isWordChar(s.charAt(i - 1)));
            if (article && startsWithVowelSound(s, i + 2)) {
                if (sb == null) {
                    sb = new StringBuilder(s);
                }
                sb.insert(i + 1 + (sb.length() - s.length()), 'n');
            }
        }
        return sb == null ? s : sb.toString();
    }

    private static boolean startsWithVowelSound(String s, int i) {
        char c = Character.toLowerCase(s.charAt(i));
        if ("aeiou".indexOf(c) >= 0) {
            return true;
        }
        if (c == '8') {
            return true;
        }
        boolean elevenOrEighteen = s.startsWith("11", i) || s.startsWith("18", i);
        return elevenOrEighteen && (i + 2 == s.length() || !Character.isDigit(s.charAt(i + 2)));
    }
}

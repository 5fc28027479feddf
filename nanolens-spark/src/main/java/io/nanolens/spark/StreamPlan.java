package io.nanolens.spark;

import io.nanolens.text.StreamStart;
import io.nanolens.text.Tokenizer;

import java.io.Serial;
import java.io.Serializable;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;

/**
 * How a corpus spread over Spark partitions is cut so that the partitions together do exactly what one pass over
 * the whole corpus does (corpus → tokens → activations, or → SAE statistics). The token stream is every document
 * as BOS and its ids, concatenated, cut into passes of P = contexts per pass × context size tokens from position
 * 0. A planning job {@link #summarise}s each partition (its token and document counts, and its first documents,
 * those that start within P tokens of its beginning); from those the driver {@link #plan}s one {@link Part} per
 * partition: the passes whose first token lies in the partition, and the documents of the following partitions
 * its last pass runs into (fewer than P tokens). On the executor, {@link #slice} turns a part and its partition's
 * documents into what a harvest or an analysis pass reads: the documents, the {@link StreamStart} inside the first
 * one, and the BOS counts that place its rows in the whole stream. No document moves between partitions except
 * those few at each boundary, which travel with the plan.
 */
final class StreamPlan {
    private StreamPlan() {
    }

    /**
     * What the planning job learns about one partition.
     *
     * @param tokens      stream tokens of its documents (BOS included)
     * @param documents   its documents
     * @param head        its first documents: those starting fewer than P tokens after its beginning
     * @param headLengths their stream lengths (BOS included)
     */
    record Summary(long tokens, long documents, List<String> head, int[] headLengths) implements Serializable {
        @Serial
        private static final long serialVersionUID = 1L;
    }

    /**
     * One partition's share: the passes from {@code from} to {@code to} (multiples of P; empty when
     * {@code from == to}) and the documents after the partition that those passes reach.
     *
     * @param base            stream position of the partition's first token
     * @param documentsBefore documents in the partitions before it
     * @param end             stream position just after its last token
     * @param from            first position of its first pass
     * @param to              first position after its last pass
     * @param tail            the following partitions' documents that start before {@code to}
     */
    record Part(long base, long documentsBefore, long end, long from, long to, List<String> tail)
            implements Serializable {
        @Serial
        private static final long serialVersionUID = 1L;

        boolean empty() {
            return from >= to;
        }
    }

    /**
     * What one part reads: its documents (from the one holding position {@code from}), where in the first it starts,
     * how many BOS tokens the whole stream holds before that, and how many within the part's positions.
     *
     * @param documents its documents, the first entered at {@code start.skip()}
     * @param start     where it starts
     * @param bosBefore BOS positions before {@code start.position()} in the whole stream
     * @param bosInside BOS positions in [from, to)
     * @param positions to − from
     */
    record Slice(List<String> documents, StreamStart start, long bosBefore, long bosInside, long positions) {

        /** Tokens before the part: every position, or only non-BOS ones when BOS rows are left out. */
        long before(boolean countBos) {
            return countBos ? start.position() : start.position() - bosBefore;
        }

        /** Tokens of the part's positions, counted the same way (more than it holds at the corpus's end). */
        long inside(boolean countBos) {
            return countBos ? positions : positions - bosInside;
        }
    }

    /** Counts a partition's tokens and keeps its first documents, those starting before position {@code pass}. */
    static Summary summarise(Iterator<String> documents, Tokenizer tokenizer, int pass) {
        long tokens = 0;
        long count = 0;
        List<String> head = new ArrayList<>();
        List<Integer> lengths = new ArrayList<>();
        while (documents.hasNext()) {
            String document = documents.next();
            int length = 1 + tokenizer.encode(document).length;
            if (tokens < pass) {
                head.add(document);
                lengths.add(length);
            }
            tokens += length;
            count++;
        }
        return new Summary(tokens, count, head, lengths.stream().mapToInt(Integer::intValue).toArray());
    }

    /** The parts of the partitions summarised, in partition order, for passes of {@code pass} tokens. */
    static List<Part> plan(List<Summary> summaries, int pass) {
        int n = summaries.size();
        long[] base = new long[n + 1];
        long[] documentsBefore = new long[n + 1];
        for (int p = 0; p < n; p++) {
            base[p + 1] = base[p] + summaries.get(p).tokens();
            documentsBefore[p + 1] = documentsBefore[p] + summaries.get(p).documents();
        }
        List<Part> parts = new ArrayList<>(n);
        for (int p = 0; p < n; p++) {
            long from = roundUp(base[p], pass);
            long to = from < base[p + 1] ? roundUp(base[p + 1], pass) : from;
            parts.add(new Part(base[p], documentsBefore[p], base[p + 1], from, to,
                    tail(summaries, base, p, to)));
        }
        return parts;
    }

    /**
     * The part's slice of the partition's documents, or null if it holds no pass; tokenises only the documents
     * before the part's first position.
     */
    static Slice slice(Part part, Iterator<String> documents, Tokenizer tokenizer) {
        if (part.empty()) {
            return null;
        }
        long offset = part.base();
        long bos = part.documentsBefore();
        List<String> held = new ArrayList<>();
        while (held.isEmpty() && documents.hasNext()) {
            String document = documents.next();
            int length = 1 + tokenizer.encode(document).length;
            if (offset + length > part.from()) {
                held.add(document);
            } else {
                offset += length;
                bos++;
            }
        }
        if (held.isEmpty()) {
            throw new IllegalStateException("partition at " + part.base() + " ended before its part's first "
                    + "position " + part.from() + "; the documents changed since the plan was made");
        }
        int skip = (int) (part.from() - offset);
        long inside = skip == 0 ? 1 : 0;
        bos += skip == 0 ? 0 : 1;
        while (documents.hasNext()) {
            held.add(documents.next());
            inside++;
        }
        held.addAll(part.tail());
        inside += part.tail().size();
        return new Slice(held, new StreamStart(part.from(), skip), bos, inside, part.to() - part.from());
    }

    /** The documents of the partitions after p that start before {@code to}, from their summaries' heads. */
    private static List<String> tail(List<Summary> summaries, long[] base, int p, long to) {
        List<String> tail = new ArrayList<>();
        for (int q = p + 1; q < summaries.size() && base[q] < to; q++) {
            Summary s = summaries.get(q);
            long offset = base[q];
            for (int i = 0; i < s.head().size() && offset < to; i++) {
                tail.add(s.head().get(i));
                offset += s.headLengths()[i];
            }
        }
        return tail;
    }

    private static long roundUp(long position, int pass) {
        return (position + pass - 1) / pass * pass;
    }
}

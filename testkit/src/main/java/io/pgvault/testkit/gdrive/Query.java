package io.pgvault.testkit.gdrive;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.function.Predicate;

/**
 * The subset of the Drive v3 search grammar ({@code q} of files.list) the fake understands: terms joined with
 * {@code and}, {@code or}, {@code not} and parentheses; {@code 'ID' in parents}; {@code name}, {@code mimeType} with
 * {@code =}, {@code !=} and {@code contains} (a case-insensitive prefix match, as Drive does for names);
 * {@code trashed = true|false}; {@code appProperties has { key='K' and value='V' }}. Strings are single-quoted with
 * {@code \'} and {@code \\} escapes. Anything else is an {@link IllegalArgumentException}, which the fake answers with
 * 400 {@code invalid}, as Drive does.
 */
final class Query {
    /** What a term is evaluated against. */
    interface Subject {
        String name();

        String mimeType();

        boolean trashed();

        List<String> parents();

        String appProperty(String key);
    }

    private final List<String> tokens;
    private final java.util.function.UnaryOperator<String> resolveId;
    private int position;

    private Query(String q, java.util.function.UnaryOperator<String> resolveId) {
        this.tokens = tokenize(q);
        this.resolveId = resolveId;
    }

    /**
     * @param q         the query; empty or null matches everything
     * @param resolveId maps aliases such as {@code root} to file ids
     * @return a predicate over files
     */
    static Predicate<Subject> parse(String q, java.util.function.UnaryOperator<String> resolveId) {
        if (q == null || q.isBlank()) {
            return subject -> true;
        }
        Query parser = new Query(q, resolveId);
        Predicate<Subject> predicate = parser.disjunction();
        if (parser.position != parser.tokens.size()) {
            throw new IllegalArgumentException("unexpected '" + parser.tokens.get(parser.position) + "'");
        }
        return predicate;
    }

    /**
     * @param q         a query the fake accepts
     * @param resolveId maps aliases such as {@code root} to file ids
     * @return the ids named by its {@code 'ID' in parents} terms, in order of appearance, without repeats
     */
    static List<String> parentIds(String q, java.util.function.UnaryOperator<String> resolveId) {
        List<String> ids = new ArrayList<>();
        if (q == null || q.isBlank()) {
            return ids;
        }
        List<String> tokens = tokenize(q);
        for (int i = 0; i + 2 < tokens.size(); i++) {
            if (tokens.get(i).startsWith("'") && tokens.get(i + 1).equals("in") && tokens.get(i + 2).equals("parents")) {
                String id = resolveId.apply(unquote(tokens.get(i)));
                if (!ids.contains(id)) {
                    ids.add(id);
                }
            }
        }
        return ids;
    }

    private Predicate<Subject> disjunction() {
        Predicate<Subject> left = conjunction();
        while (accept("or")) {
            left = left.or(conjunction());
        }
        return left;
    }

    private Predicate<Subject> conjunction() {
        Predicate<Subject> left = unary();
        while (accept("and")) {
            left = left.and(unary());
        }
        return left;
    }

    private Predicate<Subject> unary() {
        if (accept("not")) {
            return unary().negate();
        }
        if (accept("(")) {
            Predicate<Subject> inner = disjunction();
            expect(")");
            return inner;
        }
        return term();
    }

    private Predicate<Subject> term() {
        String first = next();
        if (first.startsWith("'")) {
            String id = resolveId.apply(unquote(first));
            expect("in");
            expect("parents");
            return subject -> subject.parents().contains(id);
        }
        switch (first) {
            case "trashed" -> {
                String op = next();
                boolean value = bool(next());
                return switch (op) {
                    case "=" -> subject -> subject.trashed() == value;
                    case "!=" -> subject -> subject.trashed() != value;
                    default -> throw new IllegalArgumentException("trashed supports = and !=, not " + op);
                };
            }
            case "name", "mimeType" -> {
                String op = next();
                String value = string(next());
                java.util.function.Function<Subject, String> field =
                        first.equals("name") ? Subject::name : Subject::mimeType;
                return switch (op) {
                    case "=" -> subject -> value.equals(field.apply(subject));
                    case "!=" -> subject -> !value.equals(field.apply(subject));
                    case "contains" -> subject -> field.apply(subject).toLowerCase(Locale.ROOT)
                            .startsWith(value.toLowerCase(Locale.ROOT));
                    default -> throw new IllegalArgumentException(first + " supports =, != and contains, not " + op);
                };
            }
            case "appProperties" -> {
                expect("has");
                expect("{");
                expect("key");
                expect("=");
                String key = string(next());
                expect("and");
                expect("value");
                expect("=");
                String value = string(next());
                expect("}");
                return subject -> value.equals(subject.appProperty(key));
            }
            default -> throw new IllegalArgumentException("unsupported query term '" + first + "'");
        }
    }

    private boolean accept(String token) {
        if (position < tokens.size() && tokens.get(position).equals(token)) {
            position++;
            return true;
        }
        return false;
    }

    private void expect(String token) {
        if (!accept(token)) {
            throw new IllegalArgumentException("expected '" + token + "' at token " + position);
        }
    }

    private String next() {
        if (position >= tokens.size()) {
            throw new IllegalArgumentException("the query ends early");
        }
        return tokens.get(position++);
    }

    private static boolean bool(String token) {
        return switch (token) {
            case "true" -> true;
            case "false" -> false;
            default -> throw new IllegalArgumentException("expected true or false, got " + token);
        };
    }

    private static String string(String token) {
        if (!token.startsWith("'")) {
            throw new IllegalArgumentException("expected a quoted string, got " + token);
        }
        return unquote(token);
    }

    private static String unquote(String token) {
        StringBuilder b = new StringBuilder();
        for (int i = 1; i < token.length() - 1; i++) {
            char c = token.charAt(i);
            if (c == '\\') {
                c = token.charAt(++i);
            }
            b.append(c);
        }
        return b.toString();
    }

    private static List<String> tokenize(String q) {
        List<String> tokens = new ArrayList<>();
        int i = 0;
        while (i < q.length()) {
            char c = q.charAt(i);
            if (Character.isWhitespace(c)) {
                i++;
            } else if (c == '\'') {
                int start = i++;
                while (i < q.length() && q.charAt(i) != '\'') {
                    i += q.charAt(i) == '\\' ? 2 : 1;
                }
                if (i >= q.length()) {
                    throw new IllegalArgumentException("unterminated string");
                }
                tokens.add(q.substring(start, ++i));
            } else if (c == '!' && i + 1 < q.length() && q.charAt(i + 1) == '=') {
                tokens.add("!=");
                i += 2;
            } else if ("=(){}".indexOf(c) >= 0) {
                tokens.add(String.valueOf(c));
                i++;
            } else if (Character.isLetter(c)) {
                int start = i;
                while (i < q.length() && Character.isLetterOrDigit(q.charAt(i))) {
                    i++;
                }
                tokens.add(q.substring(start, i));
            } else {
                throw new IllegalArgumentException("unexpected character '" + c + "'");
            }
        }
        return tokens;
    }
}

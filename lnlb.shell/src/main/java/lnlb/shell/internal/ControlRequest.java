package lnlb.shell.internal;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.channels.WritableByteChannel;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;
import org.apache.felix.service.command.CommandProcessor;
import org.apache.felix.service.command.CommandSession;
import org.apache.felix.service.command.Converter;

/**
 * One {@code lnlbctl} request: its words (each ended by NUL), made into one Gogo command line and
 * run in a session of its own (a word that is not plain is handed over in a session variable);
 * the answer is a status byte ({@code '0'} done, {@code '1'} refused
 * or failed), a newline and the text; a long one is streamed (see {@link AnswerStream}). A word without a scope that names an {@code lnlb} command
 * gets the {@code lnlb:} scope, so {@code lnlbctl nodes} runs {@code lnlb:nodes}.
 */
final class ControlRequest {
    private static final Pattern PLAIN = Pattern.compile("[A-Za-z0-9_./:@%+=,-]+");

    private ControlRequest() {
    }

    /** The words of a request: NUL-terminated UTF-8 strings (a last word without NUL counts too). */
    static List<String> words(byte[] request, int length) {
        List<String> words = new ArrayList<>();
        int start = 0;
        for (int i = 0; i < length; i++) {
            if (request[i] == 0) {
                words.add(new String(request, start, i - start, StandardCharsets.UTF_8));
                start = i + 1;
            }
        }
        if (start < length) {
            words.add(new String(request, start, length - start, StandardCharsets.UTF_8));
        }
        return words;
    }

    /**
     * A Gogo command line and the session variables it refers to: a word that is not plain
     * (spaces, quotes, {@code $}, braces) travels as a variable, so Gogo's parser never re-reads it.
     */
    record Line(String text, Map<String, String> variables) {
    }

    /** The Gogo command line for {@code words}: plain words as they are, lnlb's verbs scoped, the rest as variables. */
    static Line line(List<String> words, Set<String> lnlbFunctions) {
        StringBuilder line = new StringBuilder();
        Map<String, String> variables = new LinkedHashMap<>();
        for (int i = 0; i < words.size(); i++) {
            String w = words.get(i);
            if (i == 0 && !w.contains(":") && lnlbFunctions.contains(w)) {
                w = "lnlb:" + w;
            }
            if (i > 0) {
                line.append(' ');
            }
            if (PLAIN.matcher(w).matches()) {
                line.append(w);
            } else {
                String name = "lnlbctl_" + i;
                variables.put(name, w);
                line.append('$').append(name);
            }
        }
        return new Line(line.toString(), variables);
    }

    /**
     * Runs {@code line} in a new session and writes the answer to {@code channel}: a short one
     * whole (status byte, newline, text), a long one streamed as it is printed ({@link AnswerStream}).
     * Returns the stream, which knows how much it held.
     */
    static AnswerStream run(CommandProcessor processor, Line line, WritableByteChannel channel) throws IOException {
        AnswerStream answer = new AnswerStream(channel);
        PrintStream print = new PrintStream(answer, true, StandardCharsets.UTF_8);
        CommandSession session = processor.createSession(new ByteArrayInputStream(new byte[0]), print, print);
        boolean done;
        String text;
        try {
            line.variables().forEach(session::put);
            Object result = session.execute(line.text());
            text = result == null ? ""
                    : result instanceof CharSequence s ? s.toString() : String.valueOf(session.format(result, Converter.INSPECT));
            done = !(result instanceof Errors.Refusal);
        } catch (Exception e) {
            text = failure(line.text(), e);
            done = false;
        } finally {
            session.close();
        }
        print.flush();
        answer.finish(done, text);
        return answer;
    }

    static byte[] answer(boolean done, String text) {
        byte[] body = text.getBytes(StandardCharsets.UTF_8);
        byte[] answer = new byte[body.length + 2];
        answer[0] = (byte) (done ? '0' : '1');
        answer[1] = '\n';
        System.arraycopy(body, 0, answer, 2, body.length);
        return answer;
    }

    /** One line for what Gogo threw: no such command, arguments that fit no signature, or the message. */
    static String failure(String line, Exception e) {
        String verb = line.split(" ", 2)[0];
        String name = e.getClass().getSimpleName();
        if (name.equals("CommandNotFoundException")) {
            return "no command " + verb.replaceFirst("^lnlb:", "") + " (lnlbctl --help lists them)";
        }
        String message = e.getMessage() == null ? name : e.getMessage();
        if (e instanceof IllegalArgumentException && message.startsWith("Cannot coerce")) {
            return verb.replaceFirst("^lnlb:", "") + ": wrong arguments (lnlbctl help " + verb + " explains them)";
        }
        return verb.replaceFirst("^lnlb:", "") + ": " + message;
    }

    static String join(String printed, String shown) {
        if (printed.isEmpty()) {
            return shown;
        }
        if (shown.isEmpty()) {
            return printed;
        }
        return printed.endsWith("\n") ? printed + shown : printed + "\n" + shown;
    }
}

package leasekv.checker.report;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import leasekv.checker.KeyResult;
import leasekv.checker.edn.EdnWriter;
import leasekv.checker.model.Call;
import leasekv.checker.search.SearchOutcome;

/**
 * Draws a failure as an SVG a person can read: one lane per process, one bar per op from its invocation
 * to its completion (open-ended and dashed when the outcome is unknown), the failing op in red, the last
 * linearized ops in green numbered in linearization order with the model state after each, and the
 * plain-words explanation on top. The x axis is event order, not wall time, so short ops stay readable.
 *
 * <p>Nothing is drawn beyond the picture's width: the explanation and the legend wrap to it (a word longer
 * than a line is cut across lines), and labels are cut to the room they have. Widths are estimated from
 * the monospace font's advance, 0.6 em (DejaVu Sans Mono, Liberation Mono, Courier: 0.600-0.602 em), with
 * a margin.
 */
public final class SvgDiagram {
    private static final int STEP_PX = 26;
    private static final int LANE_PX = 40;
    private static final int LEFT_PX = 110;
    private static final int LINE_PX = 16;
    private static final int MIN_WIDTH_PX = 900;
    private static final int MARGIN_PX = 10;
    /** Pixels per character of the 12 px monospace text; 0.6 em is 7.2 px, plus a margin. */
    private static final double CHAR_PX = 7.3;
    private static final double TITLE_CHAR_PX = 14 * CHAR_PX / 12;
    private static final double SMALL_CHAR_PX = 10 * CHAR_PX / 12;
    private static final int TAIL_SHOWN = 16;

    private SvgDiagram() {
    }

    /** A file name for one key's diagram: {@code linear.svg}, or {@code linear-key-<key>.svg}. */
    public static String fileName(Object key, boolean independent) {
        if (!independent) {
            return "linear.svg";
        }
        String name = EdnWriter.write(key).replaceAll("[^A-Za-z0-9_.-]", "_");
        return "linear-key-" + (name.length() > 80 ? name.substring(0, 80) : name) + ".svg";
    }

    public static String render(KeyResult result) {
        Call failing = result.failingCall();
        if (failing == null) {
            throw new IllegalArgumentException("only an invalid key has a failure diagram");
        }
        Map<Call, String> stepLabels = stepLabels(result);
        List<Call> calls = callsToDraw(result, stepLabels.keySet());
        List<Long> processes = new ArrayList<>(new TreeSet<>(calls.stream().map(Call::process).toList()));
        List<Integer> positions = positions(calls);
        int rightEdge = LEFT_PX + (positions.size() + 2) * STEP_PX;
        int width = Math.max(rightEdge + 40, MIN_WIDTH_PX);
        int textWidthPx = width - 2 * MARGIN_PX;
        List<String> title = wrap(title(result), textWidthPx, TITLE_CHAR_PX);
        List<String> header = wrap(result.explanation(), textWidthPx, CHAR_PX);
        int top = 20 + (title.size() + header.size()) * LINE_PX + 20;
        List<String> footer = footer(result, textWidthPx);
        int height = top + processes.size() * LANE_PX + 30 + footer.size() * LINE_PX + 10;

        StringBuilder svg = new StringBuilder();
        svg.append(String.format(Locale.ROOT, "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" height=\"%d\" "
                + "font-family=\"monospace\" font-size=\"12\">%n", width, height));
        svg.append("<rect width=\"100%\" height=\"100%\" fill=\"white\"/>\n");
        int line = 0;
        for (String text : title) {
            text(svg, MARGIN_PX, 20 + line++ * LINE_PX, text, "font-weight=\"bold\" font-size=\"14\"");
        }
        for (String text : header) {
            text(svg, MARGIN_PX, 20 + line++ * LINE_PX, text, "");
        }
        for (int lane = 0; lane < processes.size(); lane++) {
            int y = top + lane * LANE_PX;
            svg.append(String.format(Locale.ROOT, "<line x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%d\" stroke=\"#ddd\"/>%n",
                    LEFT_PX - 10, y + LANE_PX - 4, width - MARGIN_PX, y + LANE_PX - 4));
            text(svg, MARGIN_PX, y + 22, fit("process " + processes.get(lane), LEFT_PX - 10 - MARGIN_PX, CHAR_PX), "");
        }
        Map<Call, Integer> labelRoom = labelRoom(calls, positions, width - MARGIN_PX);
        for (Call call : calls) {
            drawCall(svg, call, call == failing, stepLabels.get(call), top + processes.indexOf(call.process()) * LANE_PX,
                    positions, rightEdge, labelRoom.get(call));
        }
        int footerTop = top + processes.size() * LANE_PX + 24;
        for (int i = 0; i < footer.size(); i++) {
            text(svg, MARGIN_PX, footerTop + i * LINE_PX, footer.get(i), "");
        }
        return svg.append("</svg>\n").toString();
    }

    /** Labels "#n -> state" for the last linearized calls, numbered in linearization order. */
    private static Map<Call, String> stepLabels(KeyResult result) {
        List<SearchOutcome.Step> tail = result.linearizationTail();
        int first = Math.max(0, tail.size() - TAIL_SHOWN);
        int number = result.linearizedCount() - (tail.size() - first) + 1;
        Map<Call, String> labels = new LinkedHashMap<>();
        for (int i = first; i < tail.size(); i++, number++) {
            SearchOutcome.Step step = tail.get(i);
            labels.put(step.call(), "#" + number + " -> " + EdnWriter.write(result.model().stateToEdn(step.stateAfter())));
        }
        return labels;
    }

    private static List<Call> callsToDraw(KeyResult result, Set<Call> linearized) {
        Set<Call> calls = new LinkedHashSet<>(result.window());
        calls.addAll(linearized);
        List<Call> sorted = new ArrayList<>(calls);
        sorted.sort((a, b) -> Integer.compare(a.invokePosition(), b.invokePosition()));
        return sorted;
    }

    private static List<Integer> positions(List<Call> calls) {
        TreeSet<Integer> positions = new TreeSet<>();
        for (Call call : calls) {
            positions.add(call.invokePosition());
            if (call.outcomeKnown()) {
                positions.add(call.returnPosition());
            }
        }
        return new ArrayList<>(positions);
    }

    /** Pixels a call's label may take: up to the next op of the same process, which never overlaps it. */
    private static Map<Call, Integer> labelRoom(List<Call> calls, List<Integer> positions, int limitPx) {
        Map<Call, Integer> room = new java.util.HashMap<>();
        Map<Long, Call> previousInLane = new java.util.HashMap<>();
        for (Call call : calls) {
            int x = LEFT_PX + positions.indexOf(call.invokePosition()) * STEP_PX;
            Call previous = previousInLane.put(call.process(), call);
            if (previous != null) {
                room.put(previous, x - (LEFT_PX + positions.indexOf(previous.invokePosition()) * STEP_PX) - 6);
            }
            room.put(call, limitPx - x - 3);
        }
        return room;
    }

    private static void drawCall(StringBuilder svg, Call call, boolean failing, String stepLabel, int laneTop,
            List<Integer> positions, int rightEdge, int labelRoomPx) {
        int x1 = LEFT_PX + positions.indexOf(call.invokePosition()) * STEP_PX;
        int x2 = call.outcomeKnown() ? LEFT_PX + positions.indexOf(call.returnPosition()) * STEP_PX + STEP_PX / 2 : rightEdge;
        String fill = failing ? "#f6b8b8" : stepLabel != null ? "#cfe8cf" : "#e6e6ef";
        String stroke = failing ? "#c00000" : "#666";
        String dash = call.outcomeKnown() ? "" : " stroke-dasharray=\"4 3\"";
        svg.append(String.format(Locale.ROOT, "<g><title>%s</title>%n", escape(EdnWriter.write(call.reportedOp()))));
        svg.append(String.format(Locale.ROOT, "<rect x=\"%d\" y=\"%d\" width=\"%d\" height=\"20\" rx=\"3\" fill=\"%s\" "
                + "stroke=\"%s\" stroke-width=\"%s\"%s/>%n", x1, laneTop + 4, Math.max(8, x2 - x1), fill, stroke,
                failing ? "2" : "1", dash));
        String label = call.f() + " " + EdnWriter.write(call.value()) + (call.outcomeKnown() ? "" : " ?");
        text(svg, x1 + 3, laneTop + 18, fit(label, labelRoomPx, CHAR_PX), "");
        if (stepLabel != null || failing) {
            String below = fit(failing ? "cannot be linearized" : stepLabel, labelRoomPx, SMALL_CHAR_PX);
            text(svg, x1 + 3, laneTop + 36, below, failing ? "fill=\"#c00000\" font-size=\"10\"" : "fill=\"#2a6a2a\" font-size=\"10\"");
        }
        svg.append("</g>\n");
    }

    private static String title(KeyResult result) {
        String key = result.key() == null ? "" : "key " + EdnWriter.write(result.key()) + ": ";
        return key + "not linearizable (" + result.model().name() + " model)";
    }

    private static List<String> footer(KeyResult result, int textWidthPx) {
        List<String> lines = new ArrayList<>(wrap("Red: the op that cannot be linearized. Green: the last ops of the longest "
                + "linearization, numbered in order, with the model state after each. Dashed: outcome unknown.",
                textWidthPx, CHAR_PX));
        StringBuilder states = new StringBuilder("States the search reached just before the failing op: ");
        List<String> rendered = new ArrayList<>();
        for (SearchOutcome.FinalConfig config : result.finalConfigs()) {
            rendered.add(EdnWriter.write(result.model().stateToEdn(config.state())));
        }
        lines.addAll(wrap(states.append(String.join(", ", rendered)).toString(), textWidthPx, CHAR_PX));
        return lines;
    }

    /** The text in lines that fit widthPx: broken at spaces and line breaks, a longer word cut across lines. */
    static List<String> wrap(String text, int widthPx, double charPx) {
        int maxChars = Math.max(1, (int) (widthPx / charPx));
        List<String> lines = new ArrayList<>();
        for (String paragraph : text.split("\n")) {
            StringBuilder line = new StringBuilder();
            for (String word : paragraph.split(" ")) {
                if (line.length() > 0 && line.length() + 1 + word.length() > maxChars) {
                    lines.add(line.toString());
                    line.setLength(0);
                }
                if (line.length() > 0) {
                    line.append(' ');
                }
                line.append(word);
                while (line.length() > maxChars) {
                    lines.add(line.substring(0, maxChars));
                    line.delete(0, maxChars);
                }
            }
            if (line.length() > 0) {
                lines.add(line.toString());
            }
        }
        return lines;
    }

    /** The text cut, with an ellipsis, to what fits roomPx. */
    private static String fit(String text, int roomPx, double charPx) {
        int maxChars = Math.max(2, (int) (roomPx / charPx));
        return text.length() <= maxChars ? text : text.substring(0, maxChars - 1) + "…";
    }

    private static void text(StringBuilder svg, int x, int y, String content, String attributes) {
        svg.append(String.format(Locale.ROOT, "<text x=\"%d\" y=\"%d\" %s>%s</text>%n", x, y, attributes, escape(content)));
    }

    static String escape(String text) {
        StringBuilder out = new StringBuilder(text.length());
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            switch (c) {
                case '<': out.append("&lt;"); break;
                case '>': out.append("&gt;"); break;
                case '&': out.append("&amp;"); break;
                case '"': out.append("&quot;"); break;
                default:
                    if (c >= 0x20 || c == '\t') {
                        out.append(c);
                    }
            }
        }
        return out.toString();
    }
}

// Determinises every Lucene pattern kqlport emitted the way Elasticsearch 9 (Lucene 10) does,
// and fails on any that exceeds Lucene's default limit (TooComplexToDeterminizeException).
//
//   java -cp lucene-core.jar:BUILD RegexLimits < patterns.tsv      (extract_patterns.py)
//
// Built against the Lucene jar Debian packages (liblucene8-java, Lucene 8.7), whose RegExp
// parser is the same language but which minimises while it parses: that hides the blow-up.
// Lucene 10 builds the automaton without minimising (apache/lucene#513, #528) and
// RegexpQuery / ES|QL RLIKE then call Operations.determinize(a, 10_000). So this harness
//   1. parses with org.apache.lucene.util.automaton.RegExp (flags ALL, plus
//      ASCII_CASE_INSENSITIVE for EQL `regex~`) and rebuilds the automaton from the parse tree
//      with Operations.union/concatenate/optional/repeat only, as Lucene 10's
//      RegExp.toAutomaton does (no minimisation); wildcards as WildcardQuery builds them;
//   2. runs a powerset construction that counts Lucene 10's "effort" (the NFA states of every
//      DFA state it expands; limit 10 x work limit = 100,000) and the DFA states;
//   3. runs Lucene 8's own Operations.determinize(a, 10_000) (a limit on DFA states).
// A pattern fails if either limit is exceeded. One line per pattern goes to stdout
// (`OK|FAIL effort states key kind pattern`), a summary to stderr; exit 1 on any failure.

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import org.apache.lucene.index.Term;
import org.apache.lucene.search.WildcardQuery;
import org.apache.lucene.util.automaton.Automata;
import org.apache.lucene.util.automaton.Automaton;
import org.apache.lucene.util.automaton.Operations;
import org.apache.lucene.util.automaton.RegExp;
import org.apache.lucene.util.automaton.TooComplexToDeterminizeException;
import org.apache.lucene.util.automaton.Transition;

public class RegexLimits {
  /** Lucene's DEFAULT_DETERMINIZE_WORK_LIMIT (10) / DEFAULT_MAX_DETERMINIZED_STATES (8, 9). */
  static final int WORK_LIMIT = 10_000;
  /** Lucene 9+: determinize gives up once its effort reaches 10 x the work limit. */
  static final long EFFORT_LIMIT = 10L * WORK_LIMIT;
  /** Measuring goes on past the limit up to this much effort, to report how far over it is. */
  static final long MEASURE_CAP = 20L * EFFORT_LIMIT;

  public static void main(String[] args) throws Exception {
    BufferedReader in =
        new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
    int count = 0, failed = 0;
    long worstEffort = -1;
    String worst = "";
    String line;
    while ((line = in.readLine()) != null) {
      if (line.isEmpty()) continue;
      String[] f = line.split("\t", 3);
      if (f.length != 3) throw new IllegalArgumentException("bad input line: " + line);
      String key = unescape(f[0]), kind = f[1], pattern = unescape(f[2]);
      count++;
      String status;
      long effort;
      int states;
      try {
        Automaton nfa = build(kind, pattern);
        Measure m = measure(nfa);
        effort = m.effort;
        states = m.states;
        boolean lucene8Ok = true;
        try {
          Operations.determinize(nfa, WORK_LIMIT);
        } catch (TooComplexToDeterminizeException e) {
          lucene8Ok = false;
        }
        status = (m.capped || effort >= EFFORT_LIMIT || states > WORK_LIMIT || !lucene8Ok)
            ? "FAIL" : "OK";
      } catch (IllegalArgumentException e) {
        // Not a valid Lucene pattern: the ES|QL / EQL validators own that; report it here too.
        status = "FAIL";
        effort = -1;
        states = -1;
        pattern = pattern + "  [does not parse: " + e.getMessage() + "]";
      }
      if (status.equals("FAIL")) failed++;
      if (effort > worstEffort) {
        worstEffort = effort;
        worst = escape(key) + " " + kind + " " + escape(pattern);
      }
      System.out.println(
          status + "\t" + effort + "\t" + states + "\t" + escape(key) + "\t" + kind + "\t"
              + escape(pattern));
    }
    System.err.println(
        "lucene: " + count + " patterns determinised, worst effort " + worstEffort
            + " (limit " + EFFORT_LIMIT + "): " + worst);
    System.err.println((count - failed) + " passed, " + failed + " failed");
    System.exit(failed == 0 ? 0 : 1);
  }

  static String escape(String s) {
    return s.replace("\\", "\\\\").replace("\t", "\\t").replace("\n", "\\n").replace("\r", "\\r");
  }

  static String unescape(String s) {
    StringBuilder b = new StringBuilder(s.length());
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (c == '\\' && i + 1 < s.length()) {
        char e = s.charAt(++i);
        b.append(e == 't' ? '\t' : e == 'n' ? '\n' : e == 'r' ? '\r' : e);
      } else {
        b.append(c);
      }
    }
    return b.toString();
  }

  static Automaton build(String kind, String pattern) {
    switch (kind) {
      case "regexp":
        return lucene10(new RegExp(pattern, RegExp.ALL), false);
      case "regexp_ci":
        return lucene10(new RegExp(pattern, RegExp.ALL, RegExp.ASCII_CASE_INSENSITIVE), true);
      case "wildcard":
        return WildcardQuery.toAutomaton(new Term("f", pattern));
      default:
        throw new IllegalArgumentException("unknown pattern kind " + kind);
    }
  }

  /**
   * The automaton of a parsed regex as Lucene 10 builds it: no determinising, no minimising.
   * {@code ci}: the regex was parsed with ASCII_CASE_INSENSITIVE (RegExp keeps its flags
   * package-private, so the caller says).
   */
  static Automaton lucene10(RegExp r, boolean ci) {
    switch (r.kind) {
      case REGEXP_UNION:
        {
          List<Automaton> list = new ArrayList<>();
          leaves(r, RegExp.Kind.REGEXP_UNION, list, ci);
          return Operations.union(list);
        }
      case REGEXP_CONCATENATION:
        {
          List<Automaton> list = new ArrayList<>();
          leaves(r, RegExp.Kind.REGEXP_CONCATENATION, list, ci);
          return Operations.concatenate(list);
        }
      case REGEXP_INTERSECTION:
        return Operations.intersection(lucene10(r.exp1, ci), lucene10(r.exp2, ci));
      case REGEXP_OPTIONAL:
        return Operations.optional(lucene10(r.exp1, ci));
      case REGEXP_REPEAT:
        return Operations.repeat(lucene10(r.exp1, ci));
      case REGEXP_REPEAT_MIN:
        return Operations.repeat(lucene10(r.exp1, ci), r.min);
      case REGEXP_REPEAT_MINMAX:
        return Operations.repeat(lucene10(r.exp1, ci), r.min, r.max);
      case REGEXP_COMPLEMENT:
        return Operations.complement(lucene10(r.exp1, ci), WORK_LIMIT);
      case REGEXP_CHAR:
        return ci ? foldedChar(r.c) : Automata.makeChar(r.c);
      case REGEXP_CHAR_RANGE:
        return Automata.makeCharRange(r.from, r.to);
      case REGEXP_ANYCHAR:
        return Automata.makeAnyChar();
      case REGEXP_EMPTY:
        return Automata.makeEmpty();
      case REGEXP_STRING:
        {
          if (!ci) return Automata.makeString(r.s);
          List<Automaton> list = new ArrayList<>();
          r.s.codePoints().forEach(c -> list.add(foldedChar(c)));
          return Operations.concatenate(list);
        }
      case REGEXP_ANYSTRING:
        return Automata.makeAnyString();
      case REGEXP_INTERVAL:
        return Automata.makeDecimalInterval(r.min, r.max, r.digits);
      default:
        throw new IllegalArgumentException("unsupported regex node " + r.kind);
    }
  }

  static void leaves(RegExp r, RegExp.Kind kind, List<Automaton> out, boolean ci) {
    if (r.kind == kind) {
      leaves(r.exp1, kind, out, ci);
      leaves(r.exp2, kind, out, ci);
    } else {
      out.add(lucene10(r, ci));
    }
  }

  static Automaton foldedChar(int c) {
    Automaton one = Automata.makeChar(c);
    if (c > 128) return one;
    int other = Character.isLowerCase(c) ? Character.toUpperCase(c) : Character.toLowerCase(c);
    return other == c ? one : Operations.union(one, Automata.makeChar(other));
  }

  static final class Measure {
    long effort;
    int states;
    boolean capped;
  }

  /**
   * Powerset construction over {@code nfa}, counting what Lucene 10's determinize counts: for
   * every DFA state it expands, the number of NFA states in it. Stops at MEASURE_CAP.
   */
  static Measure measure(Automaton nfa) {
    Measure m = new Measure();
    Map<List<Integer>, Integer> ids = new HashMap<>();
    ArrayList<int[]> work = new ArrayList<>();
    int[] start = {0};
    ids.put(asList(start), 0);
    work.add(start);
    Transition t = new Transition();
    for (int next = 0; next < work.size(); next++) {
      int[] set = work.get(next);
      m.effort += set.length;
      if (m.effort >= MEASURE_CAP) {
        m.capped = true;
        break;
      }
      // Every transition of the set's states, and the points where the targets change.
      List<int[]> trans = new ArrayList<>();
      TreeSet<Integer> points = new TreeSet<>();
      for (int s : set) {
        int n = nfa.initTransition(s, t);
        for (int i = 0; i < n; i++) {
          nfa.getNextTransition(t);
          trans.add(new int[] {t.min, t.max, t.dest});
          points.add(t.min);
          points.add(t.max + 1);
        }
      }
      Integer[] ps = points.toArray(new Integer[0]);
      for (int i = 0; i + 1 < ps.length; i++) {
        int lo = ps[i], hi = ps[i + 1] - 1;
        TreeSet<Integer> dest = new TreeSet<>();
        for (int[] tr : trans) {
          if (tr[0] <= lo && tr[1] >= hi) dest.add(tr[2]);
        }
        if (dest.isEmpty()) continue;
        int[] d = dest.stream().mapToInt(Integer::intValue).toArray();
        List<Integer> k = asList(d);
        if (!ids.containsKey(k)) {
          ids.put(k, work.size());
          work.add(d);
        }
      }
    }
    m.states = work.size();
    return m;
  }

  static List<Integer> asList(int[] a) {
    Integer[] b = new Integer[a.length];
    for (int i = 0; i < a.length; i++) b[i] = a[i];
    return Arrays.asList(b);
  }
}

import io.dockline.routing.BoundedLoadRing;
import io.dockline.routing.HashRing;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

/**
 * Ring benchmark (run by bench/ring.sh): streams moved on a join and on a leave, and the busiest collector's
 * load over the mean, for 200 streams whose rates follow a Zipf law;
 * the plain consistent-hash ring is the baseline, measured on the same streams in the same run. The join and
 * the leave start from the assignment before them, as routers do (the collector of each stream is published
 * with its load); after each, the busiest collector over what a single stream allows ("join/allowed",
 * "leave/allowed": at most 1 is on target). Last, the streams moved when one stream's rate steps up or down by one published step
 * (2^(1/4)), with that sticky state ("step-moved") and, for comparison, built afresh ("afresh").
 */
public class RingBench {
  /** One published rate step (StreamRates.quantize), and how many single-stream steps each trial makes. */
  static final double STEP = Math.pow(2, 0.25);
  static final int STEPS = 50;

  public static void main(String[] args) {
    int streams = 200;
    double zipfS = args.length > 0 ? Double.parseDouble(args[0]) : 1.0;
    double epsilon = args.length > 1 ? Double.parseDouble(args[1]) : 0.25;
    int trials = 20;
    System.out.printf("streams=%d zipf s=%.2f epsilon=%.2f trials=%d (mean over trials, worst in brackets)%n",
        streams, zipfS, epsilon, trials);
    System.out.println("collectors  join-moved  target  leave-moved  target  bounded max/mean  plain max/mean  floor"
        + "  join/allowed  leave/allowed  step-moved  afresh");
    for (int n : new int[] {3, 4, 5, 8}) {
      double floorSum = 0;
      double joinSum = 0, leaveSum = 0, maxSum = 0, plainSum = 0, joinWorst = 0, leaveWorst = 0, maxWorst = 0;
      double joinMaxWorst = 0, leaveMaxWorst = 0, stepSum = 0, freshStepSum = 0;
      for (int t = 0; t < trials; t++) {
        Map<String, Double> loads = zipfLoads(streams, zipfS, new Random(1000 + t));
        List<String> members = collectors(n);
        BoundedLoadRing before = BoundedLoadRing.build(members, loads, epsilon);
        List<String> joined = new ArrayList<>(members);
        joined.add("collector-new-" + t);
        BoundedLoadRing afterJoin = BoundedLoadRing.build(joined, loads, before.assignments(), epsilon);
        double join = moved(before, afterJoin, loads);
        List<String> left = new ArrayList<>(members);
        left.remove(t % n);
        BoundedLoadRing afterLeave = BoundedLoadRing.build(left, loads, before.assignments(), epsilon);
        double leave = moved(before, afterLeave, loads);
        double max = maxOverMean(before, members, loads);
        // over what a single stream allows: the bound, or the heaviest stream over the mean where that is higher
        joinMaxWorst = Math.max(joinMaxWorst, maxOverMean(afterJoin, joined, loads) / allowed(loads, n + 1, epsilon));
        leaveMaxWorst = Math.max(leaveMaxWorst, maxOverMean(afterLeave, left, loads) / allowed(loads, n - 1, epsilon));
        Random random = new Random(2000 + t);
        List<String> ids = new ArrayList<>(loads.keySet());
        for (int i = 0; i < STEPS; i++) {
          Map<String, Double> stepped = new HashMap<>(loads);
          String s = ids.get(random.nextInt(ids.size()));
          stepped.put(s, loads.get(s) * (random.nextBoolean() ? STEP : 1 / STEP));
          stepSum += moved(before, BoundedLoadRing.build(members, stepped, before.assignments(), epsilon), loads)
              * loads.size();
          freshStepSum += moved(before, BoundedLoadRing.build(members, stepped, epsilon), loads) * loads.size();
        }
        HashRing plain = new HashRing(members);
        Map<String, Double> plainLoad = new HashMap<>();
        loads.forEach((s, l) -> plainLoad.merge(plain.owner(s), BoundedLoadRing.LOAD_FLOOR + l, Double::sum));
        double total = plainLoad.values().stream().mapToDouble(Double::doubleValue).sum();
        double plainMax = plainLoad.values().stream().mapToDouble(Double::doubleValue).max().orElse(0) / (total / n);
        // no assignment can beat one stream's own load: the heaviest stream over the mean is a floor
        floorSum += Math.max(1, loads.values().stream().mapToDouble(l -> l + BoundedLoadRing.LOAD_FLOOR).max().orElse(0)
            / (total / n));
        joinSum += join; leaveSum += leave; maxSum += max; plainSum += plainMax;
        joinWorst = Math.max(joinWorst, join); leaveWorst = Math.max(leaveWorst, leave); maxWorst = Math.max(maxWorst, max);
      }
      System.out.printf("%10d  %5.3f [%5.3f] %5.3f  %5.3f [%5.3f] %5.3f  %5.3f [%5.3f]      %5.3f           %5.3f"
          + "      [%5.3f]        [%5.3f]      %5.3f   %5.3f%n", n,
          joinSum / trials, joinWorst, 1.2 / (n + 1), leaveSum / trials, leaveWorst, 1.2 / n,
          maxSum / trials, maxWorst, plainSum / trials, floorSum / trials, joinMaxWorst, leaveMaxWorst,
          stepSum / (trials * STEPS), freshStepSum / (trials * STEPS));
    }
  }

  /** Stream i (by rank) writes proportionally to 1 / i^s bytes per second; the heaviest writes 1 MB/s. */
  static Map<String, Double> zipfLoads(int streams, double s, Random random) {
    List<Integer> ranks = new ArrayList<>();
    for (int i = 1; i <= streams; i++) ranks.add(i);
    java.util.Collections.shuffle(ranks, random);
    Map<String, Double> loads = new HashMap<>();
    for (int i = 0; i < streams; i++) {
      String id = String.format("%016x%016x", random.nextLong(), random.nextLong());
      loads.put(id, 1_000_000 / Math.pow(ranks.get(i), s));
    }
    return loads;
  }

  /** The most a collector can be held to over the mean: 1 + epsilon, or the heaviest stream alone if more. */
  static double allowed(Map<String, Double> loads, int collectors, double epsilon) {
    double total = 0, heaviest = 0;
    for (double l : loads.values()) {
      total += l + BoundedLoadRing.LOAD_FLOOR;
      heaviest = Math.max(heaviest, l + BoundedLoadRing.LOAD_FLOOR);
    }
    return Math.max(1 + epsilon, heaviest / (total / collectors));
  }

  static List<String> collectors(int n) {
    List<String> m = new ArrayList<>();
    for (int i = 0; i < n; i++) m.add("collector-" + i);
    return m;
  }

  static double moved(BoundedLoadRing a, BoundedLoadRing b, Map<String, Double> loads) {
    int moved = 0;
    for (String s : loads.keySet()) if (!a.owner(s).equals(b.owner(s))) moved++;
    return moved / (double) loads.size();
  }

  static double maxOverMean(BoundedLoadRing r, List<String> members, Map<String, Double> loads) {
    double max = 0, total = 0;
    for (String m : members) {
      max = Math.max(max, r.load(m));
      total += r.load(m);
    }
    return max / (total / members.size());
  }
}

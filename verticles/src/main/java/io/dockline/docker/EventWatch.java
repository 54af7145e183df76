package io.dockline.docker;

import com.github.dockerjava.api.async.ResultCallback;
import com.github.dockerjava.api.model.Event;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.io.Closeable;
import java.util.List;
import java.util.logging.Logger;

/**
 * A role's subscription to the Docker daemon's events, kept up for the role's life. One attempt is: the role's
 * {@link Role#prepare}, subscribe, the role's {@link Role#resync} (it catches up with what no subscription saw);
 * the stream must still be open when the resync ends, or events between them could be lost. Any failure, or the
 * end of the stream later, closes the subscription, reports the role down and starts over after
 * {@link #RETRY_MS}. Logging: one warning per distinct problem (a daemon that stays away is said once), one
 * line when the watch is back. Thread rules: the role's methods and its events run on the context that
 * started the watch; callbacks of an older subscription are dropped.
 */
public final class EventWatch {
  private static final Logger LOG = Logger.getLogger(EventWatch.class.getName());
  public static final long RETRY_MS = 2_000;

  /** What a role plugs into the watch; every method runs on the role's context. */
  public interface Role {
    /** Before subscribing: what must stand before events are handled. */
    default Future<Void> prepare() { return Future.succeededFuture(); }

    /** After subscribing: catches up with what changed while no subscription ran (a listing, a sweep). */
    Future<Void> resync();

    void onEvent(Event event);

    /** Subscribed and resynced. */
    void onUp();

    /** An attempt failed or the stream ended: the problem as logged; the watch tries again. */
    void onDown(String problem);
  }

  private final Vertx vertx;
  private final Context context;
  private final DockerConnection docker;
  private final List<String> eventTypes;
  private final String downSubject;
  private final Role role;
  /** Counts attempts: a callback of an older one must not touch the current one. */
  private int attempt;
  private Closeable subscription;
  /** Why the current attempt's stream ended before the attempt was done (null while it runs). */
  private Throwable endedEarly;
  private boolean up;
  private boolean closed;
  private String lastProblem;
  private long downSinceMs;

  private EventWatch(Context context, DockerConnection docker, List<String> eventTypes, String downSubject, Role role) {
    this.vertx = context.owner();
    this.context = context;
    this.docker = docker;
    this.eventTypes = List.copyOf(eventTypes);
    this.downSubject = downSubject;
    this.role = role;
  }

  /**
   * Starts watching.
   * @param context the role's context: every hook and event runs there
   * @param eventTypes Docker's event types to receive ({@code container}, {@code network}, ...); none: no
   *     subscription, the watch only prepares and resyncs until both succeed
   * @param downSubject how a failed attempt begins its problem line, e.g. "Docker daemon not reachable at ..."
   */
  public static EventWatch start(Context context, DockerConnection docker, List<String> eventTypes,
      String downSubject, Role role) {
    EventWatch watch = new EventWatch(context, docker, eventTypes, downSubject, role);
    context.runOnContext(v -> watch.connect());
    return watch;
  }

  private void connect() {
    if (closed) return;
    int current = ++attempt;
    endedEarly = null;
    // composed from a completed future: a hook that throws fails the attempt instead of ending the watch
    Future.<Void>succeededFuture().compose(v -> role.prepare()).compose(v -> subscribe(current)).compose(v -> role.resync())
        .compose(v -> endedEarly == null ? Future.<Void>succeededFuture() : Future.<Void>failedFuture(endedEarly))
        .onSuccess(v -> onConnected(current))
        .onFailure(err -> onLost(current, err));
  }

  private Future<Void> subscribe(int current) {
    if (eventTypes.isEmpty()) return Future.succeededFuture();
    return context.executeBlocking(() -> docker.client().eventsCmd()
        .withEventTypeFilter(eventTypes.toArray(String[]::new))
        .exec(new ResultCallback.Adapter<Event>() {
          @Override
          public void onNext(Event e) {
            context.runOnContext(v -> { if (current == attempt && !closed) role.onEvent(e); });
          }

          @Override
          public void onError(Throwable t) {
            context.runOnContext(v -> onEnded(current, t));
          }

          @Override
          public void onComplete() {
            context.runOnContext(v -> onEnded(current, new IllegalStateException("Docker event stream ended")));
          }
        })).map(cb -> {
          subscription = cb;
          if (current != attempt || closed) closeSubscription(); // closed meanwhile
          return null;
        });
  }

  private void onConnected(int current) {
    if (current != attempt || closed) return;
    up = true;
    if (lastProblem != null) {
      LOG.info("Docker events at " + docker + " followed again after "
          + (System.currentTimeMillis() - downSinceMs) / 1000 + " s");
    }
    lastProblem = null;
    role.onUp();
  }

  private void onEnded(int current, Throwable cause) {
    if (current != attempt || closed) return;
    if (up) onLost(current, cause);
    else endedEarly = cause; // the attempt still running fails with it
  }

  private void onLost(int current, Throwable cause) {
    if (current != attempt || closed) return;
    attempt++; // whatever this subscription still reports is stale now
    up = false;
    closeSubscription();
    String problem = downSubject + " (" + DockerConnection.rootMessage(cause) + "); retrying every "
        + RETRY_MS / 1000 + " s";
    if (lastProblem == null) downSinceMs = System.currentTimeMillis();
    if (problem.equals(lastProblem)) LOG.fine(problem);
    else LOG.warning(problem);
    lastProblem = problem;
    role.onDown(problem);
    vertx.setTimer(RETRY_MS, t -> context.runOnContext(v -> connect()));
  }

  public boolean isUp() { return up; }

  /** Stops watching: no event, hook or retry runs after this. */
  public Future<Void> close() {
    closed = true;
    attempt++;
    up = false;
    return closeSubscription();
  }

  private Future<Void> closeSubscription() {
    Closeable s = subscription;
    subscription = null;
    if (s == null) return Future.succeededFuture();
    return context.executeBlocking(() -> {
      s.close();
      return null;
    }, false);
  }
}

package io.pgvault.api.event;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.List;
import java.util.Objects;

/**
 * Delivers events to listeners in order, isolating the caller from listeners that throw. Immutable.
 *
 * @since 0.2.0
 */
public final class EventDispatcher implements VaultListener {
    private static final Logger LOG = LoggerFactory.getLogger(EventDispatcher.class);
    private static final EventDispatcher NONE = new EventDispatcher(List.of());

    private final List<VaultListener> listeners;

    private EventDispatcher(List<VaultListener> listeners) {
        this.listeners = List.copyOf(listeners);
    }

    /** @return a dispatcher with no listeners */
    public static EventDispatcher none() {
        return NONE;
    }

    /**
     * @param listeners who to tell, in order
     * @return a dispatcher
     */
    public static EventDispatcher of(List<? extends VaultListener> listeners) {
        listeners.forEach(l -> Objects.requireNonNull(l, "listener"));
        return listeners.isEmpty() ? NONE : new EventDispatcher(List.copyOf(listeners));
    }

    /**
     * @param listener one more listener
     * @return a dispatcher that also tells {@code listener}
     */
    public EventDispatcher with(VaultListener listener) {
        Objects.requireNonNull(listener, "listener");
        List<VaultListener> all = new java.util.ArrayList<>(listeners);
        all.add(listener);
        return new EventDispatcher(all);
    }

    /** @return whether no one listens (progress tracking can then be skipped) */
    public boolean isEmpty() {
        return listeners.isEmpty();
    }

    /**
     * Tells every listener; one that throws is logged and the others are still told.
     *
     * @param event what happened
     */
    @Override
    public void on(VaultEvent event) {
        for (VaultListener listener : listeners) {
            try {
                listener.on(event);
            } catch (RuntimeException e) {
                LOG.warn("listener {} failed on {}: {}", listener, event.getClass().getSimpleName(), e.toString());
            }
        }
    }

    @Override
    public String toString() {
        return "EventDispatcher[" + listeners.size() + " listener(s)]";
    }
}

package io.pgvault.operations.schedule;

import java.time.Duration;
import java.util.HashSet;
import java.util.Set;

/** The threads running a task right now, so that shutdown can wait for them and then interrupt them. */
final class ActiveRuns {
    private final Set<Thread> threads = new HashSet<>();

    synchronized void enter() {
        threads.add(Thread.currentThread());
    }

    synchronized void exit() {
        threads.remove(Thread.currentThread());
        notifyAll();
    }

    synchronized int count() {
        return threads.size();
    }

    synchronized void interruptAll() {
        threads.forEach(Thread::interrupt);
    }

    /** @return whether no task runs, waiting up to {@code timeout} for that */
    synchronized boolean awaitIdle(Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!threads.isEmpty()) {
            long left = deadline - System.nanoTime();
            if (left <= 0) {
                return false;
            }
            try {
                wait(Math.max(1, left / 1_000_000));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return threads.isEmpty();
            }
        }
        return true;
    }
}

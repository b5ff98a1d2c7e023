package io.pgvault.examples;

import com.sun.management.GarbageCollectionNotificationInfo;

import javax.management.ListenerNotFoundException;
import javax.management.Notification;
import javax.management.NotificationEmitter;
import javax.management.NotificationListener;
import javax.management.openmbean.CompositeData;
import java.lang.management.GarbageCollectorMXBean;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryPoolMXBean;
import java.lang.management.MemoryType;
import java.lang.management.MemoryUsage;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Watches the JVM heap while a piece of work runs: the peak usage of every heap pool (which includes garbage not yet
 * collected, so it mostly shows how full the GC lets the heap get) and the largest heap still in use right after a
 * collection (the live data the work really holds), from the garbage collectors' notifications.
 */
final class HeapWatch implements AutoCloseable {
    private final List<MemoryPoolMXBean> heapPools = ManagementFactory.getMemoryPoolMXBeans().stream()
            .filter(p -> p.getType() == MemoryType.HEAP).toList();
    private final List<String> heapPoolNames = heapPools.stream().map(MemoryPoolMXBean::getName).toList();
    private final AtomicLong maxAfterGc = new AtomicLong();
    private final AtomicLong collections = new AtomicLong();
    private final NotificationListener listener = this::onNotification;
    private final com.sun.management.ThreadMXBean threads =
            (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
    private long allocatedAtReset;

    HeapWatch() {
        for (GarbageCollectorMXBean gc : ManagementFactory.getGarbageCollectorMXBeans()) {
            if (gc instanceof NotificationEmitter emitter) {
                emitter.addNotificationListener(listener, null, null);
            }
        }
    }

    /** Forgets the peaks seen so far. */
    void reset() {
        heapPools.forEach(MemoryPoolMXBean::resetPeakUsage);
        maxAfterGc.set(0);
        collections.set(0);
        allocatedAtReset = threads.getCurrentThreadAllocatedBytes();
    }

    /** @return a reading since the last {@link #reset()}, which must have been called on this thread */
    Reading read() {
        long peak = heapPools.stream().mapToLong(p -> p.getPeakUsage().getUsed()).sum();
        return new Reading(peak, maxAfterGc.get(), collections.get(),
                threads.getCurrentThreadAllocatedBytes() - allocatedAtReset);
    }

    /** @return the heap's maximum size ({@code -Xmx}) */
    static long maxHeap() {
        return ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getMax();
    }

    private void onNotification(Notification n, Object handback) {
        if (!GarbageCollectionNotificationInfo.GARBAGE_COLLECTION_NOTIFICATION.equals(n.getType())) {
            return;
        }
        GarbageCollectionNotificationInfo info =
                GarbageCollectionNotificationInfo.from((CompositeData) n.getUserData());
        Map<String, MemoryUsage> after = info.getGcInfo().getMemoryUsageAfterGc();
        long live = heapPoolNames.stream().map(after::get).filter(u -> u != null).mapToLong(MemoryUsage::getUsed).sum();
        maxAfterGc.accumulateAndGet(live, Math::max);
        collections.incrementAndGet();
    }

    @Override
    public void close() {
        for (GarbageCollectorMXBean gc : ManagementFactory.getGarbageCollectorMXBeans()) {
            if (gc instanceof NotificationEmitter emitter) {
                try {
                    emitter.removeNotificationListener(listener);
                } catch (ListenerNotFoundException ignored) {
                    // never added to this one
                }
            }
        }
    }

    /**
     * @param peakUsed      sum of the heap pools' peak usage (an upper bound of the heap's peak)
     * @param maxLiveAfterGc the largest heap in use just after a collection; 0 when none ran
     * @param collections   collections seen
     * @param allocated     bytes allocated by the calling thread (where pgvault's pipeline runs): churn, not
     *                      retention
     */
    record Reading(long peakUsed, long maxLiveAfterGc, long collections, long allocated) {
        static final Reading NONE = new Reading(0, 0, 0, 0);

        Reading max(Reading other) {
            return new Reading(Math.max(peakUsed, other.peakUsed), Math.max(maxLiveAfterGc, other.maxLiveAfterGc),
                    collections + other.collections, Math.max(allocated, other.allocated));
        }
    }
}

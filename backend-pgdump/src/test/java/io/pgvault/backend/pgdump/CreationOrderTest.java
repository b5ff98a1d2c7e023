package io.pgvault.backend.pgdump;

import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

class CreationOrderTest {

    @Test
    @DisplayName("a file is closed once a file first seen two listings after it appears")
    void closedByALaterFile() {
        CreationOrder order = new CreationOrder();
        assertThat(order.next(List.of())).isEmpty();
        assertThat(order.next(List.of("toc.dat"))).isEmpty();
        assertThat(order.next(List.of("toc.dat", "3356.dat"))).as("created while the listing before ran?").isEmpty();
        assertThat(order.next(List.of("toc.dat", "3356.dat"))).isEmpty();
        assertThat(order.next(List.of("toc.dat", "3356.dat", "3357.dat"))).containsExactly("toc.dat", "3356.dat");
        assertThat(order.next(List.of("3357.dat"))).isEmpty();
        assertThat(order.next(List.of("3357.dat"))).isEmpty();
    }

    @Test
    @DisplayName("files first seen in the same or the next listing say nothing about each other")
    void sameOrNextListing() {
        CreationOrder order = new CreationOrder();
        assertThat(order.next(List.of("toc.dat", "3356.dat", "3357.dat"))).isEmpty();
        assertThat(order.next(List.of("toc.dat", "3356.dat", "3357.dat", "3358.dat"))).isEmpty();
        assertThat(order.next(List.of("toc.dat", "3356.dat", "3357.dat", "3358.dat", "3359.dat")))
                .containsExactly("toc.dat", "3356.dat", "3357.dat");
    }

    @Test
    @DisplayName("a large-objects table of contents stays open while blob files appear, until another file does")
    void blobsTocNests() {
        CreationOrder order = new CreationOrder();
        order.next(List.of("toc.dat", "blobs.toc"));
        order.next(List.of("toc.dat", "blobs.toc", "blob_16401.dat"));
        assertThat(order.next(List.of("toc.dat", "blobs.toc", "blob_16401.dat", "blob_16402.dat")))
                .containsExactly("toc.dat");
        assertThat(order.next(List.of("blobs.toc", "blob_16401.dat", "blob_16402.dat", "blob_16403.dat")))
                .containsExactly("blob_16401.dat");
        assertThat(order.next(List.of("blobs.toc", "blob_16402.dat", "blob_16403.dat", "3356.dat")))
                .as("3356.dat was made after blobs.toc was seen").containsExactly("blobs.toc", "blob_16402.dat");
        assertThat(order.next(List.of("blob_16403.dat", "3356.dat"))).isEmpty();
        assertThat(order.next(List.of("blob_16403.dat", "3356.dat", "3357.dat")))
                .containsExactly("blob_16403.dat", "3356.dat");
    }

    @Test
    @DisplayName("each large-objects item of archive 1.16 closes the one before it")
    void blobsTocsOfV116() {
        CreationOrder order = new CreationOrder();
        order.next(List.of("blobs_7.toc", "blob_1.dat"));
        order.next(List.of("blobs_7.toc", "blob_1.dat"));
        assertThat(order.next(List.of("blobs_7.toc", "blob_1.dat", "blob_2.dat"))).containsExactly("blob_1.dat");
        assertThat(order.next(List.of("blobs_7.toc", "blob_2.dat", "blobs_8.toc"))).containsExactly("blobs_7.toc");
        order.next(List.of("blob_2.dat", "blobs_8.toc"));
        assertThat(order.next(List.of("blob_2.dat", "blobs_8.toc", "blob_3.dat"))).containsExactly("blob_2.dat");
        assertThat(order.next(List.of("blobs_8.toc", "blob_3.dat", "blob_4.dat"))).isEmpty();
    }
}

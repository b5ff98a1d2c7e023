/**
 * The Java snippets of the README, as compiled code: each README block is the region between
 * {@code // tag::name[]} and {@code // end::name[]} in one of these classes, and {@code ReadmeSnippetsTest} fails when
 * the README and the region differ. Edit the code here, then copy the region into the README.
 */
package io.pgvault.examples.readme;

/**
 * Administration of a running lnlb node: the clusters, their nodes and counters, the registered
 * protocol modules, and the operator's verbs ({@code addif}, {@code delif}, {@code weightmode},
 * {@code weight}, {@code resync}). {@link lnlb.core.api.admin.ClusterAdmin} is the one service;
 * everything it returns is a plain DTO (public fields, a snapshot taken when the call was made).
 *
 * <p>1.3.0 added the look inside: {@code sessions} (SessionQueryDTO, SessionDTO, SessionCountDTO),
 * {@code owner} (OwnerDTO) and {@code digest} (DigestDTO), and {@link lnlb.core.api.admin.NodeDTO#share}.
 * 1.4.0: the digest per bucket ({@code DigestDTO.bucketDigests}) and a listing of one bucket
 * ({@code SessionQueryDTO.bucket}), to find which sessions two nodes disagree on.
 * <p>1.5.0 (issue 13): {@code rules}, {@code drain} and {@code undrain}, the keys {@code AFFINITY} and
 * {@code PORT_RULES}, {@code ClusterSpecDTO.affinity} and {@code portRules}, the rules, digest, refusal and
 * drain of {@code ClusterDTO}, and {@code NodeDTO.draining} and {@code sessions}.
 */
@org.osgi.annotation.bundle.Export
@org.osgi.annotation.versioning.Version("1.5.0")
package lnlb.core.api.admin;

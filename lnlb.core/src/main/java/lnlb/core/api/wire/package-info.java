/**
 * A tool API for the cluster protocol's frame format (DESIGN.md §4), for those who forge, capture
 * or fuzz raw cluster frames (the simulation's hostile tests, the fuzzers, lab tools): build a
 * message of any type ({@link lnlb.core.api.wire.WireMessage}), write it as the frames a node
 * sends, sealed with a key or not, under any sender and message id, cut to an MTU ({@link
 * lnlb.core.api.wire.FrameWriter}, {@link lnlb.core.api.wire.FrameAuthenticator}), read a frame's
 * header ({@link lnlb.core.api.wire.FrameHeader}) and feed frames to a receiver that reassembles,
 * checks and counts them as a node does ({@link lnlb.core.api.wire.FrameReader}).
 *
 * <p>A thin facade: every class delegates to the engine's own wire code ({@code
 * lnlb.core.internal.wire}), the one implementation of the format, so what is written here is
 * byte for byte what a node sends and what is read here is judged as a node judges it. Nothing
 * here is thread-safe.
 */
@org.osgi.annotation.bundle.Export
@org.osgi.annotation.versioning.Version("1.0.0")
package lnlb.core.api.wire;

/**
 * The cluster protocol on the wire (DESIGN.md §4): the frame header ({@link
 * lnlb.core.internal.wire.ClusterHeader}), the message bodies ({@link
 * lnlb.core.internal.wire.ClusterMessage}, {@link lnlb.core.internal.wire.MessageCodec}), splitting a
 * message into frames ({@link lnlb.core.internal.wire.Fragmenter}) and putting received frames back
 * together ({@link lnlb.core.internal.wire.Reassembler}).
 *
 * <p>Nothing here is thread-safe: one cluster loop owns one instance of each class. Bad input never
 * throws; it is counted in {@link lnlb.core.internal.wire.WireCounters} and dropped.
 */
package lnlb.core.internal.wire;

package lnlb.itest.planted;

import java.net.InetAddress;
import java.net.UnknownHostException;

/** {@code lnlbtest:plant CLUSTER ADDRESS}: one entry in this node's {@link PlantedTable}, nowhere else. */
public final class PlantCommand {
    private final PlantedTable table;

    PlantCommand(PlantedTable table) {
        this.table = table;
    }

    public String plant(String cluster, String address) throws UnknownHostException {
        if (!address.matches("\\d{1,3}(\\.\\d{1,3}){3}")) {
            return "plant: not an IPv4 address: " + address;
        }
        byte[] b = InetAddress.getByName(address).getAddress();
        table.plant(cluster, (b[0] & 0xFF) << 24 | (b[1] & 0xFF) << 16 | (b[2] & 0xFF) << 8 | (b[3] & 0xFF));
        return cluster + ": " + address + " planted in protocol " + PlantedTable.PROTOCOL + "'s table of this node only";
    }
}

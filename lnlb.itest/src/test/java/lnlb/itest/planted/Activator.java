package lnlb.itest.planted;

import java.util.Hashtable;
import lnlb.core.api.ProtocolModule;
import org.osgi.framework.BundleActivator;
import org.osgi.framework.BundleContext;

/**
 * The test bundle {@code lnlb.itest.planted} (lab/look.sh packs these classes into a jar and installs
 * it with lnlbctl): registers {@link PlantedTable} for protocol {@value PlantedTable#PROTOCOL} and
 * the Gogo command {@code lnlbtest:plant}. Plain services, no DS: the bundle needs nothing but the
 * framework and lnlb.core's API.
 */
public final class Activator implements BundleActivator {
    @Override
    public void start(BundleContext context) {
        PlantedTable table = new PlantedTable();
        Hashtable<String, Object> module = new Hashtable<>();
        module.put(ProtocolModule.PROTOCOL, PlantedTable.PROTOCOL);
        context.registerService(ProtocolModule.class, table, module);
        Hashtable<String, Object> command = new Hashtable<>();
        command.put("osgi.command.scope", "lnlbtest");
        command.put("osgi.command.function", new String[] {"plant"});
        context.registerService(PlantCommand.class, new PlantCommand(table), command);
    }

    @Override
    public void stop(BundleContext context) {
        // the framework unregisters the services
    }
}

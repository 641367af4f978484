package lnlb.shell.internal;

import java.io.IOException;
import java.io.InputStream;
import java.net.MalformedURLException;
import java.net.URI;
import java.net.URL;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Pattern;
import lnlb.core.api.admin.ClusterAdmin;
import lnlb.core.api.admin.ModuleDTO;
import org.apache.felix.service.command.Descriptor;
import org.apache.felix.service.command.annotations.GogoCommand;
import org.osgi.framework.Bundle;
import org.osgi.framework.BundleContext;
import org.osgi.framework.BundleException;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;

/**
 * Hot swap of a tracker bundle as one command: {@code felix:update} reports a revision that does
 * not resolve only as printed text (lnlbctl then exits 0 while the protocol has no module); this
 * updates the bundle, then waits until every protocol its modules served is served again by it,
 * and fails (exit 1) with the reason otherwise.
 */
@Component(service = SwapCommands.class)
@GogoCommand(scope = "lnlb", function = {"swap"})
public final class SwapCommands {
    /** Within the engine's default grace ({@code swap.grace.ms}): a swap slower than that has moved sessions anyway. */
    static final long WAIT_MILLIS = 10_000;

    private final BundleContext context;
    private final ClusterAdmin admin;

    @Activate
    public SwapCommands(BundleContext context, @Reference ClusterAdmin admin) {
        this.context = context;
        this.admin = admin;
    }

    @Descriptor("replace a tracker bundle under traffic: update it (from URL, else from its own location) and wait"
            + " until its protocols are served by it again")
    public CharSequence swap(@Descriptor("bundle symbolic name or id") String bundle,
            @Descriptor("the new revision: a jar's path or URL (default: the jar the bundle came from)") String... url) {
        return Errors.answer("swap", () -> {
            if (url.length > 1) {
                throw new IllegalArgumentException("one URL at most");
            }
            Bundle target = find(bundle);
            String name = target.getSymbolicName();
            Set<Integer> protocols = servedBy(name);
            if (protocols.isEmpty()) {
                throw new IllegalArgumentException(name + " serves no protocol (lnlb:modules lists who serves what)");
            }
            String before = target.getVersion().toString();
            long started = System.nanoTime();
            update(target, url.length == 1 ? url[0] : null);
            long deadline = started + WAIT_MILLIS * 1_000_000;
            while (!servedBy(name).containsAll(protocols)) {
                if (System.nanoTime() > deadline) {
                    throw new IllegalStateException(name + " was updated but does not serve protocol(s) " + protocols
                            + " after " + WAIT_MILLIS + " ms (bundle state " + state(target) + ")");
                }
                sleep();
            }
            return String.format("%s %s -> %s (bundle %d): protocol(s) %s served by it again after %d ms", name, before,
                    target.getVersion(), target.getBundleId(), protocols, (System.nanoTime() - started) / 1_000_000);
        });
    }

    private Bundle find(String bundle) {
        List<Bundle> found = new ArrayList<>();
        for (Bundle b : context.getBundles()) {
            if (bundle.equals(b.getSymbolicName()) || bundle.equals(Long.toString(b.getBundleId()))) {
                found.add(b);
            }
        }
        if (found.size() != 1) {
            throw new IllegalArgumentException(found.isEmpty() ? "no bundle " + bundle
                    : found.size() + " bundles are called " + bundle + ": give the id (lb)");
        }
        return found.get(0);
    }

    private Set<Integer> servedBy(String symbolicName) {
        Set<Integer> protocols = new TreeSet<>();
        for (ModuleDTO m : admin.modules()) {
            if (symbolicName.equals(m.bundle) && ModuleDTO.SERVING.equals(m.status)) {
                protocols.add(m.protocol);
            }
        }
        return protocols;
    }

    private static void update(Bundle bundle, String url) {
        URL from = url == null ? origin(bundle.getLocation(), ClassLoader.getSystemClassLoader()) : source(url);
        try (InputStream in = from.openStream()) {
            bundle.update(in);
        } catch (BundleException e) {
            throw new IllegalStateException("the update of " + bundle.getSymbolicName() + " failed: " + e.getMessage(), e);
        } catch (IOException e) {
            throw new IllegalArgumentException("cannot read " + from + ": " + e.getMessage(), e);
        }
    }

    /** What the user named: a URL ({@code file:}, {@code http:}, ...) or a plain path of a jar on this host. */
    static URL source(String where) {
        try {
            if (URL_SCHEME.matcher(where).find()) {
                return URI.create(where).toURL();
            }
            Path path = Path.of(where).toAbsolutePath();
            if (!Files.isRegularFile(path)) {
                throw new IllegalArgumentException("no file " + path);
            }
            return path.toUri().toURL();
        } catch (MalformedURLException | IllegalArgumentException e) {
            throw new IllegalArgumentException("cannot read " + where + ": " + e.getMessage(), e);
        }
    }

    /**
     * The jar a bundle was installed from. Felix's {@code update()} reads the location as a URL, but
     * bnd's launcher installs the bundles it embeds from a stream under the location {@code jar/NAME.jar},
     * the path of the bundle inside the runtime jar (no URL: {@code MalformedURLException: no
     * protocol}); that path is a resource of the launcher's class loader, the system one.
     */
    static URL origin(String location, ClassLoader launcher) {
        if (URL_SCHEME.matcher(location).find()) {
            return source(location);
        }
        URL embedded = launcher.getResource(location);
        if (embedded != null) {
            return embedded;
        }
        if (Files.isRegularFile(Path.of(location))) {
            return source(location);
        }
        throw new IllegalArgumentException("cannot find where the bundle came from (location " + location
                + "): give the jar's path or URL");
    }

    /** A URL's scheme, two letters or more (a Windows drive letter is no scheme). */
    private static final Pattern URL_SCHEME = Pattern.compile("^[A-Za-z][A-Za-z0-9+.-]+:");

    private static String state(Bundle bundle) {
        return switch (bundle.getState()) {
            case Bundle.ACTIVE -> "ACTIVE";
            case Bundle.RESOLVED -> "RESOLVED";
            case Bundle.INSTALLED -> "INSTALLED (does not resolve)";
            case Bundle.STARTING -> "STARTING";
            case Bundle.STOPPING -> "STOPPING";
            default -> Integer.toString(bundle.getState());
        };
    }

    private static void sleep() {
        try {
            Thread.sleep(20);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while waiting for the new revision");
        }
    }
}

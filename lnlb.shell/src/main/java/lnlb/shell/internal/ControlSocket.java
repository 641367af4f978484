package lnlb.shell.internal;

import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.file.DirectoryNotEmptyException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Arrays;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.SynchronousQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.felix.service.command.CommandProcessor;
import org.osgi.framework.BundleContext;
import org.osgi.framework.InvalidSyntaxException;
import org.osgi.framework.ServiceReference;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.metatype.annotations.AttributeDefinition;
import org.osgi.service.metatype.annotations.Designate;
import org.osgi.service.metatype.annotations.ObjectClassDefinition;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The node's control socket, which {@code lnlbctl} talks to: a UNIX domain socket, mode 0600 in a
 * directory it creates with mode 0700, so only root (the runtime's user) can open it. Each
 * connection carries one command (see {@link ControlRequest}), run through Gogo's
 * {@link CommandProcessor} like a command typed at the prompt.
 *
 * <p>The path is {@code path} of configuration {@code lnlb.control}, else the framework property
 * {@code lnlb.socket}, else {@value #DEFAULT_PATH}. A socket that cannot be created (not root, a
 * read-only /run) or that another running node answers on is one WARN line, not a failed bundle:
 * the node runs on, administered at its prompt.
 */
@Designate(ocd = ControlSocket.Config.class)
@Component(service = {}, immediate = true, configurationPid = ControlSocket.PID)
public final class ControlSocket {
    static final String PID = "lnlb.control";
    static final String DEFAULT_PATH = "/run/lnlb/lnlb.sock";
    static final String SOCKET_PROPERTY = "lnlb.socket";
    /** Requests are a few words: anything longer is not lnlbctl. */
    private static final int MAX_REQUEST = 64 * 1024;
    private static final Logger LOG = LoggerFactory.getLogger(ControlSocket.class);

    @ObjectClassDefinition(name = "lnlb control socket", description = "The UNIX domain socket lnlbctl talks to")
    public @interface Config {
        @AttributeDefinition(required = false,
                description = "Path of the socket; empty = the lnlb.socket framework property, else " + DEFAULT_PATH)
        String path() default "";

        @AttributeDefinition(description = "Commands run at once; more connections wait")
        int concurrent_commands() default 4;
    }

    private final CommandProcessor processor;
    private final BundleContext context;
    private final Path path;
    private final AtomicReference<ServerSocketChannel> server = new AtomicReference<>();
    /** The socket's directory was made here (not systemd's RuntimeDirectory): it goes when the socket does. */
    private volatile boolean madeDirectory;
    private final ExecutorService workers;
    private final Thread acceptor;

    @Activate
    public ControlSocket(BundleContext context, Config config, @Reference CommandProcessor processor) {
        this.context = context;
        this.processor = processor;
        this.path = Path.of(path(config.path(), context.getProperty(SOCKET_PROPERTY)));
        AtomicInteger count = new AtomicInteger();
        int threads = Math.max(1, config.concurrent_commands());
        // At most `threads` commands at once; the acceptor waits for a free worker (back pressure).
        this.workers = new ThreadPoolExecutor(threads, threads, 30, TimeUnit.SECONDS, new SynchronousQueue<>(), r -> {
            Thread t = new Thread(r, "lnlb-control-" + count.incrementAndGet());
            t.setDaemon(true);
            return t;
        }, (r, pool) -> {
            try {
                pool.getQueue().put(r);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        });
        ServerSocketChannel channel = open(path);
        server.set(channel);
        this.acceptor = new Thread(this::accept, "lnlb-control");
        acceptor.setDaemon(true);
        if (channel != null) {
            acceptor.start();
            LOG.info("control socket {}: lnlbctl answers here", path);
        }
    }

    static String path(String configured, String property) {
        if (configured != null && !configured.isBlank()) {
            return configured.trim();
        }
        if (property != null && !property.isBlank()) {
            return property.trim();
        }
        return DEFAULT_PATH;
    }

    /** Binds the socket (0600, in a 0700 directory if it makes one), or says in one line why not. */
    private ServerSocketChannel open(Path path) {
        try {
            Path dir = path.toAbsolutePath().getParent();
            if (!Files.isDirectory(dir)) {
                Files.createDirectories(dir, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
                madeDirectory = true;
            }
            if (Files.exists(path)) {
                if (answers(path)) {
                    LOG.warn("control socket {}: another lnlb runtime answers there; this node has no control socket"
                            + " (-Dlnlb.socket=PATH gives it its own)", path);
                    return null;
                }
                Files.delete(path); // left by a runtime that was killed
            }
            ServerSocketChannel channel = ServerSocketChannel.open(StandardProtocolFamily.UNIX);
            try {
                channel.bind(UnixDomainSocketAddress.of(path));
                Files.setPosixFilePermissions(path, PosixFilePermissions.fromString("rw-------"));
            } catch (IOException | RuntimeException e) {
                channel.close();
                throw e;
            }
            return channel;
        } catch (IOException | RuntimeException e) {
            LOG.warn("control socket {}: cannot be created ({}); lnlbctl cannot reach this node"
                    + " (-Dlnlb.socket=PATH puts it elsewhere)", path, e.toString());
            return null;
        }
    }

    private static boolean answers(Path path) {
        try (SocketChannel probe = SocketChannel.open(StandardProtocolFamily.UNIX)) {
            probe.connect(UnixDomainSocketAddress.of(path));
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    private void accept() {
        ServerSocketChannel channel = server.get();
        while (channel != null && channel.isOpen()) {
            try {
                SocketChannel connection = channel.accept();
                workers.execute(() -> serve(connection));
            } catch (ClosedChannelException e) {
                return;
            } catch (IOException e) {
                LOG.warn("control socket {}: accept failed: {}", path, e.toString());
            }
        }
    }

    private void serve(SocketChannel connection) {
        try (connection) {
            ByteBuffer request = ByteBuffer.allocate(MAX_REQUEST);
            while (request.hasRemaining() && connection.read(request) >= 0) {
                // read to the client's end of output
            }
            byte[] refusal = null;
            if (!request.hasRemaining()) {
                refusal = ControlRequest.answer(false, "request too long");
            } else {
                ControlRequest.Line line = ControlRequest.line(ControlRequest.words(request.array(), request.position()),
                        lnlbFunctions());
                if (line.text().isEmpty()) {
                    refusal = ControlRequest.answer(false, "no command");
                } else {
                    ControlRequest.run(processor, line, connection);
                }
            }
            if (refusal != null) {
                ByteBuffer out = ByteBuffer.wrap(refusal);
                while (out.hasRemaining()) {
                    connection.write(out);
                }
            }
        } catch (IOException e) {
            LOG.debug("control socket {}: a client went away: {}", path, e.toString());
        } catch (RuntimeException e) {
            LOG.warn("control socket {}: a command failed unexpectedly", path, e);
        }
    }

    /** The functions registered with {@code osgi.command.scope=lnlb}, looked up now (they come and go). */
    private Set<String> lnlbFunctions() {
        Set<String> functions = new TreeSet<>();
        try {
            ServiceReference<?>[] refs = context.getServiceReferences((String) null, "(" + CommandProcessor.COMMAND_SCOPE + "=lnlb)");
            if (refs != null) {
                for (ServiceReference<?> ref : refs) {
                    Object f = ref.getProperty(CommandProcessor.COMMAND_FUNCTION);
                    if (f instanceof String[] names) {
                        functions.addAll(Arrays.asList(names));
                    } else if (f != null) {
                        functions.add(f.toString());
                    }
                }
            }
        } catch (InvalidSyntaxException | IllegalStateException e) {
            // the filter is constant; a stopping bundle has no functions
        }
        return functions;
    }

    @Deactivate
    void deactivate() {
        ServerSocketChannel channel = server.getAndSet(null);
        if (channel == null) {
            return;
        }
        try {
            channel.close();
            Files.deleteIfExists(path);
            if (madeDirectory) {
                try {
                    Files.deleteIfExists(path.toAbsolutePath().getParent());
                } catch (DirectoryNotEmptyException othersFiles) {
                    // somebody put files beside the socket: theirs to remove
                }
            }
        } catch (IOException e) {
            LOG.warn("control socket {}: closing failed: {}", path, e.toString());
        }
        workers.shutdown();
        try {
            acceptor.join(2000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}

// Events: each names the parameters it wants; a body returns `()` or `Result<(), E>`.
#![deny(warnings)]

use std::sync::atomic::{AtomicUsize, Ordering};

static SIGN_INS: AtomicUsize = AtomicUsize::new(0);

auth_runtime::auth! {
    session: { strategy: database },
    providers: [
        Credentials { authorize: |credentials| async move { let _ = credentials; None } },
    ],
    events: {
        sign_in(user, account, is_new_user) {
            SIGN_INS.fetch_add(1, Ordering::SeqCst);
            let _ = (user.id, account.provider, is_new_user);
        }
        sign_out(user_id) {
            if user_id.is_none() {
                return Err("no user");
            }
            Ok::<(), &str>(())
        }
        create_user(user) {
            let _ = user;
        }
        link_account(user, account) {
            let _ = (user, account);
            Ok::<(), std::io::Error>(())
        }
        session(session, user_id) {
            let _ = (session, user_id);
        }
    },
}

fn main() {
    let config = config();
    assert_eq!(config.strategy(), auth_runtime::SessionStrategy::Database);
    assert_eq!(SIGN_INS.load(Ordering::SeqCst), 0);
}
